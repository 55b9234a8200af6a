import { DEFAULT_CROWD_APPLICATION, type Profile } from '../../simulator/index.js';

/*
 * The configuration every contender of a scenario works from: Reclaim's file, and the policy
 * and applications the admin scripts decide with (read from the same file).
 */

export interface ConfigOptions {
  redisUrl: string;
  prefix: string;
  simUrl: string;
  profile: Profile;
  /** jira.requestsPerSecond: lifted for the dry runs, Jira's limit for an apply. */
  requestsPerSecond: number;
  /** An apply: the blast-radius brake opened, as an admin who has read the plan would. */
  openBrake?: boolean;
}

export function reclaimConfig(options: ConfigOptions): Record<string, unknown> {
  return {
    redis: { url: options.redisUrl, prefix: options.prefix },
    jira: {
      url: options.simUrl,
      token: 'sim-token',
      requestsPerSecond: options.requestsPerSecond,
      // Jira 9 has no last login on its users: Reclaim reads them from Crowd, as the scripts do.
      ...(options.profile === 'dc9'
        ? {
            crowd: {
              application: DEFAULT_CROWD_APPLICATION.name,
              password: DEFAULT_CROWD_APPLICATION.password,
            },
          }
        : {}),
    },
    directories: { sources: [{ type: 'scim', url: `${options.simUrl}/scim/v2`, token: 'sim-token' }] },
    policy: { existingUsersSeenSince: '2025-01-01' },
    ...(options.openBrake ? { brake: { maxActions: 1_000_000, maxPercentOfUsers: 100 } } : {}),
  };
}

export const CROWD_APPLICATION = `${DEFAULT_CROWD_APPLICATION.name}:${DEFAULT_CROWD_APPLICATION.password}`;
