import { ChangeFaults } from './change-faults.js';
import { IdpState } from './idp/idp-faults.js';
import { PROFILES, type ProfileTraits } from './profiles.js';
import { RequestStats } from './request-stats.js';
import { requestOrigin, type RequestOrigin } from './request-origin.js';
import type { MutationRecord } from './user-store.js';
import type { World } from './world.js';

/** How the SCIM endpoint misbehaves on request of a test (`/__sim/scim/*`). */
export interface ScimFaults {
  /** An HTTP status every SCIM request answers with, or 'timeout' to never answer. */
  outage: number | 'timeout' | null;
  /** Percentage of the directory's users hidden from SCIM answers. */
  hiddenPercent: number;
  /**
   * Lower-cased userNames left out of the unfiltered listing only, as when pages shift under a
   * client while accounts are deleted; a `userName eq` filter and `/Users/{id}` still find them.
   */
  unlisted: Set<string>;
}

/** Shared state of one running simulator; the world is swapped wholesale on reset. */
export class SimulatorContext {
  world: World;
  baseUrl = '';
  readonly stats = new RequestStats();
  readonly scimFaults: ScimFaults = { outage: null, hiddenPercent: 0, unlisted: new Set() };
  /** Users whose changes fail on request of a test (`/__sim/users/:name/fail-changes`). */
  readonly changeFaults = new ChangeFaults();
  /** The simulated IdPs' faults and issued tokens (`/__sim/idp/*`). */
  readonly idp = new IdpState();
  /** Cookie sessions opened by `POST /rest/auth/1/session` (JSESSIONID values). */
  readonly sessions = new Set<string>();
  /** Whether Crowd REST has `/group/membership` (1.1+); an older one answers 404. */
  crowdGroupMemberships = true;

  /** Told of every mutation the moment it is applied, before Jira answers (in-process tests). */
  readonly mutationListeners = new Set<(record: MutationRecord, origin?: RequestOrigin) => void>();

  constructor(
    private readonly buildWorld: () => World,
    readonly token: string,
    /** `name:password` of the Jira User Server application Crowd REST answers. */
    readonly crowdApplication = 'reclaim:reclaim-secret',
  ) {
    this.world = this.build();
  }

  private build(): World {
    const world = this.buildWorld();
    world.store.mutationListener = (record) => {
      const origin = requestOrigin.getStore();
      for (const listener of this.mutationListeners) listener(record, origin);
    };
    return world;
  }

  get traits(): ProfileTraits {
    return PROFILES[this.world.profile];
  }

  reset(): void {
    this.world = this.build();
    this.stats.reset();
    this.scimFaults.outage = null;
    this.scimFaults.hiddenPercent = 0;
    this.changeFaults.clearAll();
    this.scimFaults.unlisted.clear();
    this.idp.reset();
    this.sessions.clear();
  }
}
