import { invalidParameter } from '../errors.js';
import { labelName } from '../events/limits.js';
import { isPlainObject } from '../plain-object.js';
import type { ChangeStatus } from './types.js';

/*
 * Jira issue webhooks (https://developer.atlassian.com/server/jira/platform/webhooks/ and the Jira Cloud webhook
 * docs): `{timestamp, webhookEvent: "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted", user, issue:
 * {id, self, key, fields: {summary, description, status: {name, statusCategory: {key}}, issuetype, project,
 * components, fixVersions, labels, priority, assignee, reporter}}, changelog: {items: [{field: "status", fromString,
 * toString}]}}`. One issue is one change (change_key = issue key); its status maps to a change status.
 */

/** Jira status names (lower-cased) → change status; an integration's `jira.status_map` is merged over these. */
export const defaultJiraStatusMap: Readonly<Record<string, ChangeStatus>> = {
  open: 'Planned',
  'to do': 'Planned',
  backlog: 'Planned',
  planned: 'Planned',
  'selected for development': 'Ready',
  ready: 'Ready',
  approved: 'Ready',
  scheduled: 'Ready',
  'awaiting implementation': 'Ready',
  'in progress': 'Processing',
  implementing: 'Processing',
  'in review': 'Processing',
  reopened: 'Planned',
  done: 'Done',
  closed: 'Done',
  resolved: 'Done',
  completed: 'Done',
  implemented: 'Done',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  "won't do": 'Canceled',
  "won't fix": 'Canceled',
  declined: 'Canceled',
  rejected: 'Canceled',
};

/** Jira's status categories, for a status name no map knows: To Do, In Progress, Done. */
const categoryStatus: Readonly<Record<string, ChangeStatus>> = {
  new: 'Planned',
  indeterminate: 'Processing',
  done: 'Done',
};

/** The status map of a change-jira integration: the defaults with its own entries (names lower-cased) over them. */
export function jiraStatusMap(own: Record<string, ChangeStatus> | undefined): Record<string, ChangeStatus> {
  const map: Record<string, ChangeStatus> = { ...defaultJiraStatusMap };
  for (const [name, status] of Object.entries(own ?? {})) map[name.trim().toLowerCase()] = status;
  return map;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;
const nameOf = (value: unknown): string | undefined => (isPlainObject(value) ? text(value.name) : undefined);
const namesOf = (value: unknown): string | undefined => {
  const names = (Array.isArray(value) ? value : []).map(nameOf).filter((name) => name !== undefined);
  return names.length > 0 ? names.join(',') : undefined;
};

/** The status the issue moved to in this webhook (its changelog), else its current status. */
function jiraStatusName(body: Record<string, unknown>, fields: Record<string, unknown>): string | undefined {
  const items = isPlainObject(body.changelog) && Array.isArray(body.changelog.items) ? body.changelog.items : [];
  const moved = items.find((item: unknown) => isPlainObject(item) && item.field === 'status') as
    Record<string, unknown> | undefined;
  return text(moved?.toString) ?? nameOf(fields.status);
}

function changeStatusOf(
  event: string,
  statusName: string | undefined,
  fields: Record<string, unknown>,
  map: Record<string, ChangeStatus>,
): ChangeStatus {
  if (event === 'jira:issue_deleted') return 'Canceled';
  const mapped = statusName === undefined ? undefined : map[statusName.trim().toLowerCase()];
  if (mapped) return mapped;
  const category = isPlainObject(fields.status) ? fields.status.statusCategory : undefined;
  const key = isPlainObject(category) ? text(category.key) : undefined;
  return (key && categoryStatus[key]) || 'Planned';
}

/**
 * Jira issue labels become change labels: `service:checkout` or `service=checkout` gives label `service`, so a
 * change correlates with incidents of that service; the others are kept together in `jira_labels`.
 */
function issueLabels(value: unknown): Record<string, string> {
  // No prototype: a Jira label `__proto__:x` is a label like any other.
  const labels = Object.create(null) as Record<string, string>;
  const plain: string[] = [];
  for (const label of Array.isArray(value) ? value : []) {
    if (typeof label !== 'string') continue;
    const match = /^([^:=]+)[:=](.+)$/.exec(label);
    if (match && labelName.test(match[1])) labels[match[1]] = match[2];
    else plain.push(label);
  }
  if (plain.length > 0) labels.jira_labels = plain.join(',');
  return labels;
}

/** The browser address of an issue from its REST `self` URL (`…/rest/api/2/issue/10001` → `…/browse/OPS-12`). */
function browseLink(self: unknown, key: string): string | undefined {
  const url = text(self);
  const at = url?.indexOf('/rest/api/') ?? -1;
  if (url === undefined || at < 0 || !/^https?:\/\//.test(url)) return undefined;
  return `${url.slice(0, at)}/browse/${encodeURIComponent(key)}`;
}

const handledEvents = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];

/**
 * One Jira issue webhook as a standard change event (not yet validated: the caller normalises it like a pushed
 * one). Throws InvalidParameter for another kind of webhook or an issue without a key or summary.
 */
export function mapJiraWebhook(body: unknown, statusMap: Record<string, ChangeStatus>): Record<string, unknown> {
  if (!isPlainObject(body)) throw invalidParameter('body: must be a JSON object (a Jira issue webhook)');
  const event = text(body.webhookEvent);
  if (event === undefined || !handledEvents.includes(event))
    throw invalidParameter(
      `webhookEvent: must be one of ${handledEvents.join(', ')}, got ${JSON.stringify(body.webhookEvent ?? null)}`,
    );
  const issue = isPlainObject(body.issue) ? body.issue : undefined;
  const key = text(issue?.key);
  if (!issue || key === undefined) throw invalidParameter('issue.key: is required');
  const fields = isPlainObject(issue.fields) ? issue.fields : {};
  const statusName = jiraStatusName(body, fields);
  const labels: Record<string, string | undefined> = {
    project: isPlainObject(fields.project) ? text(fields.project.key) : undefined,
    project_name: nameOf(fields.project),
    issue_type: nameOf(fields.issuetype),
    components: namesOf(fields.components),
    fix_versions: namesOf(fields.fixVersions),
    priority: nameOf(fields.priority),
    assignee: isPlainObject(fields.assignee) ? text(fields.assignee.displayName) : undefined,
    jira_status: statusName,
    ...issueLabels(fields.labels),
  };
  return {
    title: text(fields.summary) ?? key,
    description: text(fields.description),
    change_key: key,
    change_status: changeStatusOf(event, statusName, fields, statusMap),
    labels: Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== undefined)),
    link: browseLink(issue.self, key),
    event_time: typeof body.timestamp === 'number' ? body.timestamp : undefined,
  };
}
