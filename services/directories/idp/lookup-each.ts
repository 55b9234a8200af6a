import type { DirectoryAnswer } from '../directory-answer.js';

/**
 * Answers each distinct key with `lookupOne`, a few at a time. One failure fails the whole
 * look-up and stops the rest: an answer missing for one user must not pass for "absent".
 * A key `lookupOne` cannot ask about (undefined) is left out of the map, so it stays unknown.
 */
export async function lookupEach(
  keys: readonly string[],
  concurrency: number,
  lookupOne: (key: string) => Promise<DirectoryAnswer | undefined>,
): Promise<Map<string, DirectoryAnswer>> {
  const answers = new Map<string, DirectoryAnswer>();
  const queue = [...new Set(keys)];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      try {
        const answer = await lookupOne(key);
        if (answer !== undefined) answers.set(key, answer);
      } catch (error) {
        queue.length = 0;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return answers;
}
