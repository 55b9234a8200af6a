import type { Profile } from '../../simulator/index.js';

/*
 * The bench's scenarios: the full set (`npm run bench`) and the small one CI runs (`--quick`),
 * every kind in both. A scenario is picked by name with `--scenario name[,name]`.
 */

export interface DryRunScenario {
  kind: 'dry-run';
  name: string;
  profile: Profile;
  users: number;
  workers: number;
  /** The naive script decides this many users and its rate is extrapolated; undefined: all. */
  naiveSample?: number;
}

export interface ApplyScenario {
  kind: 'apply';
  name: string;
  profile: Profile;
  users: number;
  workers: number;
  /** The simulated Jira's token bucket, requests per second (and Reclaim's ceiling). */
  rateLimit: number;
}

export interface ScaleOutScenario {
  kind: 'scale-out';
  name: string;
  profile: Profile;
  users: number;
  workerCounts: number[];
}

export type Scenario = DryRunScenario | ApplyScenario | ScaleOutScenario;

const NAIVE_SAMPLE = 5_000;

export const FULL_SCENARIOS: Scenario[] = [
  { kind: 'dry-run', name: 'dc11-10k', profile: 'dc11', users: 10_000, workers: 1 },
  {
    kind: 'dry-run',
    name: 'dc11-100k',
    profile: 'dc11',
    users: 100_000,
    workers: 1,
    naiveSample: NAIVE_SAMPLE,
  },
  {
    kind: 'dry-run',
    name: 'dc11-1m',
    profile: 'dc11',
    users: 1_000_000,
    workers: 1,
    naiveSample: NAIVE_SAMPLE,
  },
  { kind: 'dry-run', name: 'dc9-20k', profile: 'dc9', users: 20_000, workers: 1, naiveSample: NAIVE_SAMPLE },
  {
    kind: 'dry-run',
    name: 'dc10-20k',
    profile: 'dc10',
    users: 20_000,
    workers: 1,
    naiveSample: NAIVE_SAMPLE,
  },
  { kind: 'apply', name: 'apply-20k', profile: 'dc11', users: 20_000, workers: 1, rateLimit: 100 },
  { kind: 'scale-out', name: 'scale-out-20k', profile: 'dc11', users: 20_000, workerCounts: [1, 2, 4] },
];

export const QUICK_SCENARIOS: Scenario[] = [
  { kind: 'dry-run', name: 'dc11-2k', profile: 'dc11', users: 2_000, workers: 1 },
  { kind: 'dry-run', name: 'dc9-1k', profile: 'dc9', users: 1_000, workers: 1 },
  { kind: 'dry-run', name: 'dc10-1k', profile: 'dc10', users: 1_000, workers: 1 },
  { kind: 'apply', name: 'apply-1k', profile: 'dc11', users: 1_000, workers: 1, rateLimit: 100 },
  { kind: 'scale-out', name: 'scale-out-2k', profile: 'dc11', users: 2_000, workerCounts: [1, 2] },
];

/** The scenarios `--scenario` names, from the full and the quick set; an unknown name is an error. */
export function pickScenarios(names: string | undefined, quick: boolean): Scenario[] {
  if (names === undefined) return quick ? QUICK_SCENARIOS : FULL_SCENARIOS;
  const all = [...FULL_SCENARIOS, ...QUICK_SCENARIOS];
  return names.split(',').map((name) => {
    const found = all.find((scenario) => scenario.name === name.trim());
    if (!found) {
      throw new Error(`--scenario: no scenario "${name}"; known: ${all.map((s) => s.name).join(', ')}`);
    }
    return found;
  });
}
