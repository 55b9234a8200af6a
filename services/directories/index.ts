export type { DirectoryAnswer, DirectoryEntry, PresentAnswer } from './directory-answer.js';
export type { DirectoryProvider } from './directory-provider.js';
export { DirectoryUnavailableError, type DirectoryFailureKind } from './directory-unavailable-error.js';
export { DirectorySnapshot } from './directory-snapshot.js';
export { DirectoryCheck } from './directory-check.js';
export {
  assessAnswers,
  assessFailure,
  directoryFact,
  settleDirectoryFact,
  type AnswerCounts,
  type DirectoryAssessment,
} from './directory-assessment.js';
export { RunDirectories, type SourceAnswers } from './run-directories.js';
export {
  assessDirectory,
  type AssessDirectoryOptions,
  type AssessedDirectories,
} from './assess-directory.js';
export { combineDirectoryFacts } from './combine-directory-facts.js';
export { createDirectoryProviders, type ProviderTuning } from './create-directory-providers.js';
export { lookupDirectoryFacts } from './lookup-directory-facts.js';
export { ScimDirectoryProvider, type ScimProviderOptions } from './scim/scim-directory-provider.js';
export { LdapDirectoryProvider, type LdapProviderOptions } from './ldap/ldap-directory-provider.js';
export {
  matchByOf,
  matchKeyOf,
  noMatchKeyReason,
  type MatchBy,
  type MatchSetting,
  type MatchSubject,
} from './match-key.js';
export { OktaDirectoryProvider, type OktaProviderOptions } from './okta/okta-directory-provider.js';
export { EntraDirectoryProvider, type EntraProviderOptions } from './entra/entra-directory-provider.js';
export { GoogleDirectoryProvider, type GoogleProviderOptions } from './google/google-directory-provider.js';
