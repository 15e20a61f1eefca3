import type { Command } from 'commander';
import type { Environment } from '../config/settings.js';
import { io } from './output.js';

/** Where the management API is and how to authenticate: `--url`/`--token`, else the environment. */
interface ApiTarget {
  url: string;
  token: string;
}

interface ApiOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** A silence as the API answers it (the fields the CLI prints). */
interface SilenceItem {
  id: string;
  source: string;
  state: string;
  rule: { if: unknown; mode?: string };
  comment: string | null;
  created_by: string | null;
  starts_at: number | null;
  expires_at: number | null;
}

/** An error the API answered: `alertgate: <code>: <message>`, exit 1. */
class ApiAnswerError extends Error {}

const filterKeys = new Set(['title', 'description', 'severity', 'integration']);

/**
 * An amtool-style matcher as a filter condition: `name=value`, `name!=value`, `name=~regex`, `name!~regex`. A bare
 * name is a label (`alertname=X` is `labels.alertname`); `title`, `description`, `severity`, `integration` and
 * `labels.<name>` are taken as they are.
 */
export function parseMatcher(text: string): { key: string; op: 'IN' | 'NOTIN'; values: string[] } {
  const match = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*(=~|!~|!=|=)\s*(.*)$/s.exec(text);
  if (!match || match[3] === '')
    throw new ApiAnswerError(
      `matcher ${JSON.stringify(text)}: expected name=value, name!=value, name=~regex or name!~regex`,
    );
  const [, name, op, value] = match;
  const key = filterKeys.has(name) || name.startsWith('labels.') ? name : `labels.${name}`;
  const regex = op === '=~' || op === '!~';
  return { key, op: op.startsWith('!') ? 'NOTIN' : 'IN', values: [regex ? `/${value}/` : value] };
}

function targetOf(options: ApiOptions, env: Environment): ApiTarget {
  const token = options.token ?? env.ALERTGATE_ADMIN_TOKEN ?? env.ADMIN_TOKEN;
  if (!token) throw new ApiAnswerError('no admin token: pass --token or set ALERTGATE_ADMIN_TOKEN');
  const url = options.url ?? env.ALERTGATE_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}`;
  return { url: url.replace(/\/$/, ''), token };
}

async function call(target: ApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${target.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new ApiAnswerError(`cannot reach ${target.url} (${cause}); set --url or ALERTGATE_URL`);
  }
  const answer = (await response.json().catch(() => ({}))) as {
    data?: unknown;
    error?: { code: string; message: string };
  };
  if (!response.ok)
    throw new ApiAnswerError(
      answer.error ? `${answer.error.code}: ${answer.error.message}` : `HTTP ${response.status}`,
    );
  return answer.data;
}

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function describeConditions(conditions: unknown): string {
  const list =
    Array.isArray(conditions) && Array.isArray(conditions[0]) ? (conditions as unknown[][]).flat() : conditions;
  if (!Array.isArray(list)) return JSON.stringify(conditions);
  return (list as Array<{ key: string; op: string; values: string[] }>)
    .map((c) => `${c.key.replace(/^labels\./, '')}${c.op === 'IN' ? '=' : '!='}${c.values.join('|')}`)
    .join(' ');
}

/** Silences as a table: id, state, window, who, matchers, comment. */
export function silenceTable(items: readonly SilenceItem[]): string[] {
  const rows = [['ID', 'STATE', 'STARTS', 'ENDS', 'CREATED BY', 'MATCHERS', 'COMMENT']];
  for (const item of items)
    rows.push([
      item.id,
      item.source === 'config' ? `${item.state} (config)` : item.state,
      iso(item.starts_at),
      iso(item.expires_at),
      item.created_by ?? '-',
      describeConditions(item.rule.if),
      item.comment ?? '',
    ]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

function apiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'alertgate base URL (default: ALERTGATE_URL or http://127.0.0.1:$PORT, port 8080)')
    .option('--token <token>', 'admin token (default: ALERTGATE_ADMIN_TOKEN)')
    .option('--json', 'print the API answer as JSON');
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiAnswerError)) throw error;
    io.err(`alertgate: ${error.message}`);
    process.exitCode = 1;
  }
}

interface AddOptions extends ApiOptions {
  channel?: string;
  alert?: string;
  duration?: string;
  expires?: string;
  starts?: string;
  comment?: string;
  author?: string;
  id?: string;
  mode?: 'mark' | 'drop';
  preview?: boolean;
}

function printAdded(data: unknown, options: AddOptions): void {
  if (options.json) return io.out(JSON.stringify(data, null, 2));
  const preview = data as {
    preview?: true;
    silence: SilenceItem;
    matching_alerts: { count: number; items: Array<{ alert_id: string; title: string }> };
  };
  if (!preview.preview) return io.out((data as SilenceItem).id);
  silenceTable([preview.silence]).forEach((line) => io.out(line));
  io.out(`would match ${preview.matching_alerts.count} open alert(s)${preview.matching_alerts.count > 0 ? ':' : ''}`);
  for (const alert of preview.matching_alerts.items) io.out(`  ${alert.alert_id}  ${alert.title}`);
}

async function addSilence(matchers: string[], options: AddOptions, env: Environment): Promise<void> {
  const target = targetOf(options, env);
  const actor = options.author ?? env.USER;
  const query = new URLSearchParams();
  if (options.preview) query.set('preview', '1');
  if (options.alert !== undefined) {
    if (matchers.length > 0) throw new ApiAnswerError('--alert builds the matchers from the alert: give no matchers');
    const body = { duration: options.duration, mode: options.mode, comment: options.comment, actor };
    const data = await call(
      target,
      'POST',
      `/alerts/${encodeURIComponent(options.alert)}/quick-silence?${query}`,
      body,
    );
    return printAdded(data, options);
  }
  if (!options.channel) throw new ApiAnswerError('--channel is required (or --alert for a quick silence)');
  if (matchers.length === 0) throw new ApiAnswerError('give at least one matcher, such as alertname=HighLatency');
  if (actor) query.set('actor', actor);
  const body = {
    id: options.id,
    if: matchers.map(parseMatcher),
    mode: options.mode,
    comment: options.comment,
    starts_at: options.starts,
    expires_at: options.expires,
    duration: options.expires === undefined ? (options.duration ?? '1h') : options.duration,
  };
  const data = await call(target, 'POST', `/channels/${encodeURIComponent(options.channel)}/silences?${query}`, body);
  printAdded(data, options);
}

/** `alertgate silence add|ls|expire`: silences through the management API of a running alertgate. */
export function addSilenceCommands(program: Command, env: Environment): void {
  const silence = program.command('silence').description('silences of a running alertgate, through its management API');
  apiOptions(silence.command('add [matchers...]'))
    .description('add a silence: matchers such as alertname=HighLatency host!=db1 service=~/^pay/ (or --alert <id>)')
    .option('-c, --channel <id>', 'channel the silence belongs to')
    .option('--alert <id>', 'quick silence from this alert: its integration and identifying labels')
    .option('-d, --duration <duration>', 'how long: 30m, 2h, 1d (default 1h; quick silences 1d)')
    .option('--expires <time>', 'end instead of a duration (ISO 8601 or Unix time)')
    .option('--starts <time>', 'start (default now)')
    .option('--comment <text>', 'why')
    .option('-a, --author <name>', 'who (default: $USER)')
    .option('--id <id>', 'its id (default: made by the server)')
    .option('--mode <mode>', 'mark (keep, marked silenced) or drop')
    .option('--preview', 'show the silence and the open alerts it would match; save nothing')
    .action((matchers: string[], options: AddOptions) => run(() => addSilence(matchers, options, env)));
  apiOptions(silence.command('ls'))
    .description('list the silences of a channel: active and pending ones (as amtool), or --state / --all')
    .requiredOption('-c, --channel <id>', 'channel')
    .option('--state <state>', 'only pending, active or expired ones')
    .option('--all', 'expired ones too (kept 30 days)')
    .action((options: ApiOptions & { channel: string; state?: string; all?: boolean }) =>
      run(async () => {
        const query = options.state ? `?state=${encodeURIComponent(options.state)}` : '';
        const path = `/channels/${encodeURIComponent(options.channel)}/silences${query}`;
        const data = (await call(targetOf(options, env), 'GET', path)) as { items: SilenceItem[] };
        const items = options.state || options.all ? data.items : data.items.filter((item) => item.state !== 'expired');
        if (options.json) io.out(JSON.stringify(items, null, 2));
        else silenceTable(items).forEach((line) => io.out(line));
      }),
    );
  apiOptions(silence.command('expire <ids...>'))
    .description('end silences now (they stay listed as expired)')
    .requiredOption('-c, --channel <id>', 'channel')
    .action((ids: string[], options: ApiOptions & { channel: string }) =>
      run(async () => {
        const target = targetOf(options, env);
        for (const id of ids) {
          const path = `/channels/${encodeURIComponent(options.channel)}/silences/${encodeURIComponent(id)}/expire`;
          const data = (await call(target, 'POST', path)) as SilenceItem;
          io.out(options.json ? JSON.stringify(data) : `${data.id} expired at ${iso(data.expires_at)}`);
        }
      }),
    );
}
