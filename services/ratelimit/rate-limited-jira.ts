import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser, UserListing } from '../jira/types.js';

/** Waits for permission before a call; the shared limiter implements it. */
export interface CallGate {
  acquire(): Promise<void>;
}

/**
 * A JiraDirectory whose every call, and every page of a listing, first passes the gate: the
 * ceiling of Jira calls per second that all workers on all machines share.
 */
export function rateLimitedJira(jira: JiraDirectory, gate: CallGate): JiraDirectory {
  const gated =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await gate.acquire();
      return call(...args);
    };
  return {
    detect: () => jira.detect(),
    checkConnection: gated(() => jira.checkConnection()),
    listUsers: () => gatedListing(jira.listUsers(), gate),
    getUser: gated((user, options) => jira.getUser(user, options)),
    listGroupMembers: (group) => gatedPages(jira.listGroupMembers(group), gate),
    addToGroup: gated((user, group) => jira.addToGroup(user, group)),
    removeFromGroup: gated((user, group) => jira.removeFromGroup(user, group)),
    grantApplication: gated((user, key) => jira.grantApplication(user, key)),
    revokeApplication: gated((user, key) => jira.revokeApplication(user, key)),
    updateUser: gated((user, changes) => jira.updateUser(user, changes)),
    applicationRoles: gated(() => jira.applicationRoles()),
    lastLogin: gated((user) => jira.lastLogin(user)),
    get requestCount() {
      return jira.requestCount;
    },
    close: () => jira.close(),
  };
}

async function* gatedPages(pages: AsyncIterable<JiraUser[]>, gate: CallGate): AsyncGenerator<JiraUser[]> {
  const iterator = pages[Symbol.asyncIterator]();
  try {
    for (;;) {
      await gate.acquire();
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

function gatedListing(listing: UserListing, gate: CallGate): UserListing {
  const pages = gatedPages(listing, gate);
  return {
    [Symbol.asyncIterator]: () => pages,
    get stats() {
      return listing.stats;
    },
  };
}
