/**
 * A Jira request's route for metrics: method and path without the query, every segment that is
 * not a plain word or a one-digit API version replaced by `{id}`, so that a label never carries
 * a user name or key (cardinality, and no personal data in the metrics).
 */
export function jiraRouteTemplate(method: string, pathAndQuery: string): string {
  const path = pathAndQuery.split('?', 1)[0] ?? '';
  const segments = path
    .split('/')
    .map((segment) =>
      segment === '' || /^[A-Za-z]+$/.test(segment) || /^\d$/.test(segment) ? segment : '{id}',
    );
  return `${method.toUpperCase()} ${segments.join('/') || '/'}`;
}
