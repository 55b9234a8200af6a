import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import { ScimDirectoryProvider } from '../../services/directories/scim/scim-directory-provider.js';

describe('directory providers from the configuration', () => {
  it('one per source, named by name or type, and never two with one name', () => {
    const { directories } = configSchema.parse({
      directories: {
        sources: [
          { type: 'scim', url: 'https://idp.example.com/scim/v2', token: 't' },
          { type: 'scim', url: 'https://hr.example.com/scim/v2', name: 'workday' },
          { type: 'scim', url: 'https://idp2.example.com/scim/v2' },
        ],
      },
    });
    const providers = createDirectoryProviders(directories.sources);
    assert.deepEqual(
      providers.map((p) => p.name),
      ['scim', 'workday', 'scim-2'],
    );
    assert.ok(providers.every((p) => p instanceof ScimDirectoryProvider));
  });

  it('none configured, none created', () => {
    assert.deepEqual(createDirectoryProviders(configSchema.parse({}).directories.sources), []);
  });
});
