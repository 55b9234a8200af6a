import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../config/load.js';

/*
 * docker-compose.yml as Compose reads it (merge keys, `${VAR:-default}` with no variable set):
 * the app's processes reach the records store the postgres service creates, and wait for it.
 */

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service>; volumes: Record<string, unknown> };

/** `${VAR:-default}` as Compose expands it when VAR is not set. */
const expand = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  const postgres = compose.services.postgres!;
  const appServices = Object.entries(compose.services).filter(([, service]) =>
    ['api', 'worker'].includes(service.command?.[0] ?? ''),
  );

  it('runs PostgreSQL 16 on a named volume with a pg_isready health check', () => {
    assert.equal(postgres.image, 'postgres:16-alpine');
    const [volume, path] = (postgres.volumes ?? [])[0]!.split(':');
    assert.equal(path, '/var/lib/postgresql/data');
    assert.ok(volume! in compose.volumes, `${volume} is a named volume`);
    assert.ok(postgres.healthcheck?.test.includes('pg_isready'));
  });

  it('points the API and every worker at that database, once it is healthy', () => {
    assert.deepEqual(appServices.map(([name]) => name).sort(), ['api', 'worker']);
    const env = Object.fromEntries(
      Object.entries(postgres.environment ?? {}).map(([k, v]) => [k, expand(v)]),
    );
    for (const [name, service] of appServices) {
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {})
          .filter(([variable]) => variable !== 'RECLAIM_CONFIG')
          .map(([variable, value]) => [variable, expand(value)]),
      );
      const url = new URL(loadConfig({ env: environment }).records.url ?? 'missing:');
      assert.equal(url.protocol, 'postgres:', name);
      assert.equal(url.host, 'postgres:5432', name);
      assert.equal(url.username, env.POSTGRES_USER, name);
      assert.equal(url.password, env.POSTGRES_PASSWORD, name);
      assert.equal(url.pathname, `/${env.POSTGRES_DB}`, name);
      const dependsOn = service.depends_on as Record<string, { condition: string }>;
      assert.equal(dependsOn.postgres?.condition, 'service_healthy', name);
      assert.equal(dependsOn.redis?.condition, 'service_healthy', name);
    }
    assert.deepEqual(env, { POSTGRES_USER: 'reclaim', POSTGRES_PASSWORD: 'reclaim', POSTGRES_DB: 'reclaim' });
  });
});
