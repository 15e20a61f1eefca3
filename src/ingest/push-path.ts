/** The path an integration of `adapter` pushes to: change integrations have their own, alerts go by adapter name. */
export function pushPathOf(adapter: string): string {
  if (adapter === 'change-standard') return '/event/push/change/standard';
  if (adapter === 'change-jira') return '/event/push/change/jira';
  return `/event/push/alert/${adapter}`;
}
