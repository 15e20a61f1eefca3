import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { packageRoot } from '../../src/paths.js';
import { adminToken, api, postJson, startStack, type Stack } from '../support/stack.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';
import { eventually } from '../support/waiting.js';
import * as inPage from './in-page.js';

// The console in a real browser (Debian's chromium) against the real gateway, queue, worker and store.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = join(packageRoot, 'docs', 'screenshots');
const strictMapping = `/* Test adapter: a payload without a name is refused. */
$exists(body.name) ? {
  "title": body.name,
  "event_status": "Warning",
  "alert_key": body.id
} : $error("payload without name")`;
const fixedMapping = `/* Test adapter: the name, else the label. */
{
  "title": body.name ?: body.label,
  "event_status": "Warning",
  "alert_key": body.id
}`;
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

/** WCAG relative luminance of a CSS rgb() colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: string, b: string): number => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
};

describe('web console in a browser', () => {
  const temp = tempAdaptersDir({ strict: { manifest: manifestFor('strict'), mapping: strictMapping } });
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const push = (body: unknown) =>
    postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=std-key-0001`, body);
  const goto = (path: string) => page.goto(`${stack.baseUrl}${path}`);

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    stack = await startStack({
      store: 'sqlite',
      configFile: {
        channels: [
          {
            id: 'ops',
            name: 'Operations',
            drop: [{ id: 'no-info', if: [{ key: 'severity', op: 'IN', values: ['Info'] }] }],
          },
        ],
        integrations: [
          { id: 'std', name: 'Standard events', adapter: 'standard', key: 'std-key-0001', channel: 'ops' },
          { id: 'strict-int', name: 'Strict webhook', adapter: 'strict', key: 'strict-key-0001', channel: 'ops' },
        ],
      },
      app: { adapters: AdapterRegistry.load({ dir: temp.dir }) },
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: desktop, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('requestfailed', (request) => {
      // Leaving a page cancels its event stream: not a failure.
      if (request.url().endsWith('/api/v1/stream') && request.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    temp.remove();
  });

  /** Every page: no script error, no failed request, every form control labelled, nothing wider than the screen. */
  async function checkPage(name: string): Promise<void> {
    assert.deepEqual(problems, [], `problems on ${name}`);
    const unlabelled = await page.evaluate<string[]>(inPage.unlabelledControls);
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${name}`);
  }

  async function screenshot(name: string, ready: () => Promise<unknown>): Promise<void> {
    for (const [size, viewport] of Object.entries({ desktop, phone })) {
      await page.setViewportSize(viewport);
      await ready();
      await page.evaluate('window.scrollTo(0, 0)');
      const overflow = await page.evaluate<number>(inPage.overflow);
      assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a ${size} screen`);
      await page.screenshot({ path: join(screenshots, `${name}-${size}.png`) });
    }
    await page.setViewportSize(desktop);
  }

  test('login: the admin token once, then an HttpOnly SameSite=Strict cookie; nothing in storage or the URL', async () => {
    await goto('/incidents');
    await page.getByLabel('Admin token').waitFor();
    await screenshot('login', () => page.getByLabel('Admin token').waitFor());
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    const cookie = (await context.cookies()).find((candidate) => candidate.name === 'alertgate_session');
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate<number>('localStorage.length + sessionStorage.length'), 0);
    assert.equal(await page.evaluate<string>('document.cookie'), '');
    assert.doesNotMatch(page.url(), new RegExp(adminToken));
    await checkPage('login');
  });

  test('incidents appear live, without a reload, with severity counts', async () => {
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate('window.loadedOnce = true');
    await push({
      title_rule: 'Checkout latency high',
      event_status: 'Critical',
      alert_key: 'checkout-latency',
      labels: { service: 'checkout', env: 'prod' },
    });
    await push({
      title_rule: 'Disk almost full',
      event_status: 'Warning',
      alert_key: 'disk-db1',
      labels: { host: 'db1' },
    });
    await page.getByRole('link', { name: 'Checkout latency high' }).waitFor();
    await page.getByRole('link', { name: 'Disk almost full' }).waitFor();
    assert.equal(await page.evaluate<boolean>('window.loadedOnce'), true);
    await page.getByRole('button', { name: 'Critical 1' }).waitFor();
    await page.getByRole('button', { name: 'Warning 1' }).waitFor();
    await checkPage('incidents');
  });

  test('severity colours have a contrast of at least 4.5:1', async () => {
    const colours = await page.evaluate<Array<{ name: string; fg: string; bg: string }>>(inPage.severityColours);
    for (const { name, fg, bg } of colours) {
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${name}: ${fg} on ${bg} has contrast ${ratio.toFixed(2)}`);
    }
  });

  test('the incident list is keyboard navigable: arrows move, Enter opens', async () => {
    const links = page.locator('.incident-list .row-link');
    await links.first().focus();
    const first = await page.evaluate<string>(inPage.focusedText);
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate<string>(inPage.focusedText);
    assert.notEqual(first, second);
    assert.equal(second, await links.nth(1).textContent());
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate<string>(inPage.focusedText), first);
    await screenshot('incidents', () => page.getByRole('link', { name: 'Checkout latency high' }).waitFor());
    await page.getByRole('link', { name: 'Checkout latency high' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Checkout latency high' }).waitFor();
    assert.match(page.url(), /\/incidents\/[^/]+$/);
  });

  test('the incident: its trace as sentences, then ack and resolve', async () => {
    await page.getByRole('button', { name: 'Events & trace' }).first().click();
    await page
      .locator('.trace')
      .getByText(/Opened incident .* \(grouping off\)/)
      .waitFor();
    await page.locator('.trace').getByText('Routed to channel ops (dedicated integration).').waitFor();
    await screenshot('incident', () => page.getByRole('heading', { name: 'Timeline' }).waitFor());
    // Refreshable: the same URL loads the same page.
    await page.reload();
    await page.getByRole('heading', { name: 'Checkout latency high' }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge Checkout latency high' }).click();
    await page.locator('.facts dd', { hasText: 'Acknowledged' }).first().waitFor();
    await page.locator('.timeline').getByText('Acknowledged').waitFor();
    await page.getByRole('button', { name: 'Resolve Checkout latency high' }).click();
    await page.getByRole('button', { name: 'Reopen Checkout latency high' }).waitFor();
    await page.locator('.facts dd', { hasText: 'Closed' }).first().waitFor();
    await checkPage('incident');
  });

  test('a dropped event is found in Events, with why', async () => {
    await push({ title_rule: 'Nightly backup noise', event_status: 'Info', alert_key: 'backup-noise' });
    await eventually('the dropped event', async () => {
      const res = await api(stack, 'GET', '/events?outcome=dropped');
      return (res.body.data as { items: unknown[] }).items.length > 0 ? true : undefined;
    });
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Outcome').selectOption('dropped');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/outcome=dropped/);
    await page.getByRole('button', { name: /Nightly backup noise/ }).click();
    await page.getByText('Dropped by drop rule no-info of channel ops.').waitFor();
    await screenshot('events', () => page.getByText('Dropped by drop rule no-info of channel ops.').waitFor());
    await checkPage('events');
  });

  test('a rejected payload is replayed after fixing the mapping in the playground', async () => {
    const rejected = await postJson(`${stack.baseUrl}/event/push/alert/strict?integration_key=strict-key-0001`, {
      label: 'Queue backlog growing',
      id: 'queue-backlog',
    });
    assert.equal(rejected.status, 400);
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('link', { name: 'Strict webhook' }).waitFor();
    await screenshot('integrations', () => page.getByRole('link', { name: 'Strict webhook' }).waitFor());
    await page.getByRole('link', { name: 'Strict webhook' }).click();
    await page.getByText('payload without name').first().waitFor();
    await screenshot('integration', () => page.getByRole('heading', { name: 'Rejected payloads' }).waitFor());
    await page.getByRole('link', { name: 'Open in playground' }).first().click();
    const editor = page.getByLabel(/Mapping \(JSONata\)/);
    await eventually('the loaded mapping', async () =>
      (await editor.inputValue()) === strictMapping ? true : undefined,
    );
    await eventually('the picked payload', async () =>
      (await page.getByLabel(/^Payload \(/).inputValue()).includes('Queue backlog growing') ? true : undefined,
    );
    assert.ok((await page.locator('.editor-highlight .tok-string').count()) > 3, 'the mapping is highlighted');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText('Result: 0 events, 1 error').waitFor();
    await editor.fill('{\n  "title": body.label,\n  "alert_key": (body.id\n}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('button', { name: /^line 4, column/ }).waitFor();
    await editor.fill(fixedMapping);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText('Result: 1 event, 0 errors').waitFor();
    await screenshot('playground', () => page.getByText('Result: 1 event, 0 errors').waitFor());
    await page.getByRole('button', { name: 'Replay this rejected payload with this mapping' }).click();
    await page.getByText(/^Replay accepted/).waitFor();
    await eventually('the replayed event stored', async () => {
      const res = await api(stack, 'GET', '/events?integration=strict-int');
      return (res.body.data as { items: Array<{ title: string }> }).items.find(
        (event) => event.title === 'Queue backlog growing',
      );
    });
    await checkPage('playground');
  });

  test('a quick silence from an alert, edited before saving, then expired; a dry run', async () => {
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('link', { name: 'Disk almost full' }).click();
    await page.getByRole('button', { name: 'Quick silence…' }).click();
    await page.waitForURL(/\/silences\?channel=ops&alert=/);
    const rule = page.getByLabel(/^Silence rule/);
    await eventually('the quick-silence draft', async () =>
      (await rule.inputValue()).includes('"quick-') ? true : undefined,
    );
    const edited = JSON.parse(await rule.inputValue()) as { name: string };
    edited.name = 'Disk db1 during migration';
    await rule.fill(JSON.stringify(edited, null, 2));
    await page.getByRole('button', { name: 'Save silence' }).click();
    await page.getByText(/^Saved silence quick-/).waitFor();
    await page.getByText('Disk db1 during migration').waitFor();
    await page.getByText('Rules of channel Operations').click();
    await page.locator('.card pre').filter({ hasText: '"no-info"' }).waitFor();
    await page.getByRole('button', { name: 'Run dry run' }).click();
    await page.getByText(/events: \d+ incidents would open/).waitFor();
    await screenshot('silences', () => page.getByText('Disk db1 during migration').waitFor());
    await page.getByRole('button', { name: /^Expire silence quick-/ }).click();
    await page.getByText('No silence in this channel.').waitFor();
    await checkPage('silences');
  });

  test('logout ends the session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Admin token').waitFor();
    await page.reload();
    await page.getByLabel('Admin token').waitFor();
    await checkPage('logout');
  });
});
