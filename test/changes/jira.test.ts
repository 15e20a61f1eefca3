import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jiraStatusMap, mapJiraWebhook } from '../../src/changes/jira.js';
import { normaliseChange } from '../../src/changes/normalise.js';
import { AppError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';

/** A Jira webhook body of test/changes/fixtures (Atlassian's documented issue webhook shape). */
function jiraFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot, 'test', 'changes', 'fixtures', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

const defaults = jiraStatusMap(undefined);

test('jira:issue_created: the issue key is the change, its status maps, its fields become labels and a link', () => {
  const change = normaliseChange(mapJiraWebhook(jiraFixture('jira-issue-created'), defaults), 0);
  assert.deepEqual(change, {
    title: 'Deploy checkout 2.3.0 to eu-1',
    description: 'Rolling deploy of checkout; canary first.',
    change_key: 'OPS-12',
    change_status: 'Planned',
    labels: {
      project: 'OPS',
      project_name: 'Operations',
      issue_type: 'Change',
      components: 'checkout',
      fix_versions: '2.3.0',
      priority: 'High',
      assignee: 'Mia Krystof',
      jira_status: 'To Do',
      service: 'checkout',
      cluster: 'eu-1',
      jira_labels: 'canary',
    },
    link: 'https://example.atlassian.net/browse/OPS-12',
    event_time: 1764669600000,
  });
});

test('jira:issue_updated: the changelog status transition decides the change status', () => {
  const change = normaliseChange(mapJiraWebhook(jiraFixture('jira-issue-transition-in-progress'), defaults), 0);
  assert.equal(change.change_status, 'Processing');
  assert.equal(change.labels.jira_status, 'In Progress');
});

test('a status no map knows falls back to its status category; an integration status_map wins (any case)', () => {
  const body = jiraFixture('jira-issue-transition-custom');
  assert.equal(normaliseChange(mapJiraWebhook(body, defaults), 0).change_status, 'Done');
  const custom = jiraStatusMap({ 'rolled out': 'Processing' });
  const mapped = normaliseChange(mapJiraWebhook(body, custom), 0);
  assert.equal(mapped.change_status, 'Processing');
  // Jira Server under a context path: the browse link keeps it.
  assert.equal(mapped.link, 'https://jira.example.com/jira/browse/OPS-12');
  assert.equal(jiraStatusMap({ 'Rolled Out': 'Canceled' })['rolled out'], 'Canceled');
});

test('jira:issue_deleted cancels the change', () => {
  const body = { ...jiraFixture('jira-issue-created'), webhookEvent: 'jira:issue_deleted' };
  assert.equal(normaliseChange(mapJiraWebhook(body, defaults), 0).change_status, 'Canceled');
});

test('other webhooks and issues without a key are refused with the field and what is accepted', () => {
  const refused = (body: unknown, message: string) =>
    assert.throws(
      () => mapJiraWebhook(body, defaults),
      (error: unknown) => error instanceof AppError && error.code === 'InvalidParameter' && error.message === message,
    );
  refused(
    jiraFixture('jira-comment-created'),
    'webhookEvent: must be one of jira:issue_created, jira:issue_updated, jira:issue_deleted, got "comment_created"',
  );
  refused({ webhookEvent: 'jira:issue_created', issue: { fields: {} } }, 'issue.key: is required');
  refused([], 'body: must be a JSON object (a Jira issue webhook)');
});
