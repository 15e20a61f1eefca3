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

for (const [driverName, createDriver] of [
  ['direct', directDriver],
  ['stack', stackDriver],
] as const) {
  for (const kind of storeKinds) {
    describe(`worker scenarios (${driverName}) on ${kind}`, () => {
      for (const { file, scenario } of scenarios) {
        if (driverName === 'stack' && !endToEnd.has(file)) continue;
        describe(`${file}: ${scenario.name}`, () => {
          let driver: ScenarioDriver;
          before(async () => {
            driver = await createDriver(kind, scenario);
          });
          after(() => driver.close());
          test('runs every step', () => runScenario(driver, scenario));
        });
      }
    });
  }
}
