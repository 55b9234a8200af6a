import type { PolicyConfig } from '../../config/schema.js';

/**
 * Sentences for the run record about settings the policy cannot apply through Jira's REST
 * API, so an admin who set them is not left believing they protect anyone.
 */
export function policyNotes(policy: PolicyConfig, directoriesKnown = false): string[] {
  const notes: string[] = [];
  // With Jira's database the user's directory is known and skipDirectories applies.
  if (policy.skipDirectories.length > 0 && !directoriesKnown) {
    notes.push(
      `skipDirectories (${policy.skipDirectories.join(', ')}) is not applied: Jira's REST API does not say ` +
        'which user directory a user comes from',
    );
  }
  return notes;
}
