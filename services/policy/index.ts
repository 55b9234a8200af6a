export { evaluateUser } from './evaluate.js';
export { formatReason, formatReasons } from './format-reasons.js';
export { renameTarget } from './rename-target.js';
export { BUILT_IN_SKIP_GROUPS, adminGroupsOf, protectionOf } from './protection-rules.js';
export { effectiveFirstSeen } from './login-rules.js';
export * from './types.js';
export { policyNotes } from './policy-notes.js';
