import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { stringify } from 'yaml';
import { newId } from '../src/events/ids.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { GroupMethod, type IncidentsTable } from '../src/store/tables.js';
import { cliPath, freePort, startProcess, stopProcess } from './processes.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const severities = ['Critical', 'Warning', 'Info'] as const;

/** Runs in the page before its scripts: notes when the first incident row enters the document. */
const firstRowObserver = `new MutationObserver((changes, observer) => {
  if (!document.querySelector('.incident-row')) return;
  window.firstRowAt = performance.now();
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });`;

/** Stores `count` open incidents in a new SQLite database, as the worker would have left them. */
export async function seedIncidents(dbUrl: string, count: number): Promise<void> {
  const store = openDatabase(dbUrl);
  await migrateToLatest(store);
  const now = Date.now();
  for (let start = 0; start < count; start += 500) {
    const rows: IncidentsTable[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const severity = severities[i % 3];
      const at = now - (count - i) * 1000;
      rows.push({
        incident_id: newId(),
        channel_id: 'ops',
        title: `Service ${i % 97} latency above threshold on host-${i}`,
        description: null,
        incident_severity: severity,
        incident_status: severity,
        progress: 'Triggered',
        labels: JSON.stringify({ service: `svc-${i % 97}`, host: `host-${i}` }),
        first_alert_id: null,
        alert_cnt: 1,
        active_alert_cnt: 1,
        group_method: GroupMethod.none,
        grouping_key: null,
        open_grouping_key: null,
        storm_raised: null,
        flapping: 0,
        start_time: at,
        last_time: at,
        end_time: null,
        ack_time: null,
        close_time: null,
        created_at: at,
        updated_at: at,
      });
    }
    await store.db.insertInto('incidents').values(rows).execute();
  }
  await store.db.destroy();
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * First load of the incidents page with `count` open incidents in the store: milliseconds from navigation start to
 * the first rows in the page (median of `runs`, a new browser context each time: no cache), next to the login
 * page's first contentful paint (the same bundle, no data: the baseline) and the list API call alone.
 */
export async function benchConsoleFirstLoad(
  count = 10_000,
  runs = 5,
): Promise<{ firstRowsMs: number; loginPageMs: number; apiMs: number; count: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-console-bench-'));
  const dbUrl = `sqlite:${join(dir, 'console.db')}`;
  const configPath = join(dir, 'alertgate.yaml');
  writeFileSync(configPath, stringify({ channels: [{ id: 'ops', name: 'Operations' }], integrations: [] }));
  await seedIncidents(dbUrl, count);
  const port = await freePort();
  const gateway = await startProcess(
    [cliPath, 'gateway'],
    {
      REDIS_PREFIX: `bench-console-${randomBytes(4).toString('hex')}`,
      ALERTGATE_CONFIG: configPath,
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: 'bench',
      PORT: String(port),
    },
    /listening/,
  );
  const base = `http://127.0.0.1:${port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    const loginPage: number[] = [];
    const firstRows: number[] = [];
    const api: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      // The moment the first row is in the document, in the page's own clock (ms since navigation start): the
      // test driver's polling would add its own delay.
      await context.addInitScript(firstRowObserver);
      const page = await context.newPage();
      await page.goto(`${base}/incidents`, { waitUntil: 'commit' });
      await page.getByLabel('Admin token').waitFor();
      loginPage.push(
        Math.round(
          await page.evaluate<number>("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"),
        ),
      );
      await context.request.post(`${base}/api/v1/session`, { data: { token: 'bench' } });
      await page.goto(`${base}/incidents`, { waitUntil: 'commit' });
      await page.locator('.incident-row').first().waitFor();
      firstRows.push(Math.round(await page.evaluate<number>('window.firstRowAt')));
      await context.close();
      const started = Date.now();
      const response = await fetch(`${base}/api/v1/incidents?progress=Triggered,Processing&counts=1&limit=50`, {
        headers: { authorization: 'Bearer bench' },
      });
      await response.json();
      api.push(Date.now() - started);
    }
    return { firstRowsMs: median(firstRows), loginPageMs: median(loginPage), apiMs: median(api), count };
  } finally {
    await browser?.close();
    await stopProcess(gateway);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the console bench can run here (it needs a chromium). */
export const canBenchConsole = (): boolean => existsSync(chromiumPath);

const isMain = process.argv[1]?.endsWith('console-bench.js');
if (isMain) {
  benchConsoleFirstLoad().then(
    (result) => {
      process.stdout.write(
        `console, ${result.count} open incidents: first rows ${result.firstRowsMs} ms (login page, no data: ${result.loginPageMs} ms; list API alone: ${result.apiMs} ms)  target < 1000 ms  ${result.firstRowsMs < 1000 ? 'meets target' : 'BELOW TARGET'}\n`,
      );
    },
    (error: Error) => {
      process.stderr.write(`console benchmark failed: ${error.stack ?? error.message}\n`);
    },
  );
}
