import { after, before, describe, test } from 'node:test';
import { directDriver, loadScenarios, runScenario, stackDriver, type ScenarioDriver } from '../support/scenarios.js';
import { storeKinds } from '../support/stores.js';

const scenarios = loadScenarios();

/**
 * Every scenario runs through the worker's batch applier directly (no Redis, a clock that only moves when told);
 * these also run end to end through the gateway, the queue and the worker: one event, an event pushed late, a
 * redelivered job, a batch in one request, auto-resolve timers on the timer queue, actions through the API (ack,
 * close, reopen, and their 409s).
 */
const endToEnd = new Set([
  '01-fire-repeat-update-recover.json',
  '03-late-event.json',
  '04-redelivered-job.json',
  '08-batch-in-one-request.json',
  '18-auto-resolve-trigger.json',
  '21-auto-resolve-closed-or-reopened.json',
  '24-close-and-ack-keep-counters.json',
  '25-reopen.json',
]);

/**
 * Every scenario with consecutive pushes also runs with them applied as one batch, on both stores: each store applies a
 * batch its own way (PostgreSQL keeps the batch's rows in memory until it writes them together), and how events
 * were batched must not change what they do.
 */
for (const [driverName, createDriver, batched] of [
  ['direct', directDriver, false],
  ['direct, pushes batched', directDriver, true],
  ['stack', stackDriver, false],
] as const) {
  for (const kind of storeKinds) {
    describe(`worker scenarios (${driverName}) on ${kind}`, () => {
      for (const { file, scenario } of scenarios) {
        if (driverName === 'stack' && !endToEnd.has(file)) continue;
        if (batched && !scenario.steps.some((step, i) => 'push' in step && 'push' in (scenario.steps[i + 1] ?? {})))
          continue;
        describe(`${file}: ${scenario.name}`, () => {
          let driver: ScenarioDriver;
          before(async () => {
            driver = await createDriver(kind, scenario);
          });
          after(() => driver.close());
          test('runs every step', () => runScenario(driver, scenario, batched));
        });
      }
    });
  }
}
