/*
 * The reliability suites run at a quick size by default (CI, `npm run test:reliability`) and at
 * the full size with RELIABILITY_SIZE=full.
 */
export type ReliabilitySize = 'quick' | 'full';

export function reliabilitySize(env: NodeJS.ProcessEnv = process.env): ReliabilitySize {
  const value = env.RELIABILITY_SIZE ?? 'quick';
  if (value !== 'quick' && value !== 'full') {
    throw new Error(`RELIABILITY_SIZE must be quick or full, got "${value}"`);
  }
  return value;
}
