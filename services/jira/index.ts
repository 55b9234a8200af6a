export type { JiraDirectory } from './jira-directory.js';
export { JiraDataCenterClient, type JiraDataCenterClientOptions } from './client.js';
export type { JiraCredentials, JiraRequestEvent } from './http.js';
export * from './errors.js';
export * from './types.js';
export { parseLastLoginTime, lastLoginFromField, lastLoginFromCrowdAttributes } from './last-login.js';
export { BASE_ALPHABET } from './partitioned-search.js';
export { parseVersion } from './detect.js';
