import type { DirectoryScopeConfig } from '../../config/schema.js';

/** What a source's scope looks at: the user's e-mail and the groups the scan gathered. */
export interface ScopeSubject {
  emailAddress?: string;
  groups: readonly string[];
}

/*
 * The Jira users one directory source is expected to know (`directories.sources[].scope`). An
 * IdP that holds the staff of example.com knows nothing of a service account or of a partner's
 * users: they are outside its scope, so its silence about them says nothing. Each criterion
 * given must hold; none given is everyone.
 */
export class SourceScope {
  private readonly domains: Set<string>;
  private readonly groups: Set<string>;
  private readonly groupNames: string;

  constructor(config: Partial<DirectoryScopeConfig> = {}) {
    this.domains = new Set((config.emailDomains ?? []).map((d) => d.toLowerCase()));
    this.groups = new Set((config.groups ?? []).map((g) => g.toLowerCase()));
    this.groupNames = (config.groups ?? []).join(', ');
  }

  /** True when the scope is narrowed at all. */
  get narrowed(): boolean {
    return this.domains.size > 0 || this.groups.size > 0;
  }

  /** Why a user is outside the scope; undefined when inside. */
  exclusion(user: ScopeSubject): string | undefined {
    if (this.domains.size > 0) {
      const domain = emailDomain(user.emailAddress);
      if (domain === undefined || !this.domains.has(domain)) {
        const got = domain === undefined ? 'no e-mail domain' : `e-mail domain ${domain}`;
        return `${got} not in scope.emailDomains (${[...this.domains].join(', ')})`;
      }
    }
    if (this.groups.size > 0 && !user.groups.some((g) => this.groups.has(g.toLowerCase()))) {
      return `in none of scope.groups (${this.groupNames})`;
    }
    return undefined;
  }
}

/** The lower-cased part after the last "@"; undefined without one. */
function emailDomain(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const at = email.lastIndexOf('@');
  const domain =
    at < 0
      ? ''
      : email
          .slice(at + 1)
          .trim()
          .toLowerCase();
  return domain === '' ? undefined : domain;
}
