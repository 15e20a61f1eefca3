import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { AlertsRepo } from '../../src/store/alerts-repo.js';
import { BatchStage } from '../../src/store/batch-stage.js';
import { DeliveriesRepo } from '../../src/store/deliveries-repo.js';
import { IncidentsRepo } from '../../src/store/incidents-repo.js';
import { bindStagedRepos } from '../../src/store/staged-repos.js';
import type { Database } from '../../src/store/tables.js';

/*
 * A PostgreSQL worker batch keeps alerts, incidents and alert keys in memory; a repository method it does not take
 * over would read the tables behind the batch's back (missing its unwritten rows) or write past them. Every method
 * of the plain repositories is either taken over by the staged ones or listed here with why it needs not be.
 */
const notTouchingStagedRows: Record<string, Record<string, string>> = {
  AlertsRepo: {
    claimKeyRow: 'called only by claimAlertKey, which the staged repository takes over',
    flushKeyStates: 'writes the key states of events done straight through, which the stage does not hold',
    discardDeferred: 'forgets those same deferred key states',
    deferredMark: 'marks those same deferred key states',
    undoDeferredTo: 'undoes those same deferred key states',
  },
  IncidentsRepo: {
    flushTimeline: 'timeline entries are deferred by the plain repository and read back by no stage',
    discardDeferred: 'forgets deferred timeline entries',
    deferredMark: 'marks deferred timeline entries',
    undoDeferredTo: 'undoes deferred timeline entries',
    takeWritten: 'the timeline entries written, kept in memory either way',
    addTimeline: 'timeline entries are deferred either way',
    alertTallies: 'called only by summariseIncidentAlerts, which the staged repository takes over',
    remember: 'keeps rows of the direct path; currentIncident, taken over, asks the stage first',
    rememberChanges: 'keeps rows of the direct path; currentIncident, taken over, asks the stage first',
  },
  DeliveriesRepo: {
    notificationsOf: 'reads deliveries only',
    defer: 'outbox rows are deferred either way',
    deferredMark: 'marks deferred outbox rows',
    undoDeferredTo: 'undoes deferred outbox rows',
    flushDeferred: 'writes deferred outbox rows',
    insertDeliveries: 'writes deliveries only',
    insertChangeBodies: 'writes change bodies only, never inside a worker batch',
    insertOutbox: 'writes the outbox only',
    outboxBatch: 'reads the outbox only, never inside a worker batch',
    removeOutbox: 'writes the outbox only, never inside a worker batch',
    markQueued: 'writes deliveries only',
    markUnqueued: 'writes deliveries only',
    relayJobsOf: 'reads deliveries only',
    releaseRelayJob: 'writes deliveries only',
    handOver: 'writes deliveries only',
    getDeliveries: 'reads deliveries only',
    earliestPending: 'reads deliveries only',
    unqueued: 'reads deliveries only',
    getDelivery: 'reads deliveries only',
    attemptsOf: 'reads delivery attempts only',
    pendingBefore: 'reads deliveries only',
    incidentsDueForRepeat: 'the notifier reads it, never inside a worker batch',
    recordAttempt: 'writes delivery attempts only',
    resetForRedelivery: 'writes deliveries only',
    listDeliveries: 'reads deliveries only',
    receiverCounts: 'reads deliveries only',
  },
};

test('the staged repositories take over every method of the plain ones that reads or writes alerts, incidents or keys', () => {
  const db = {} as Kysely<Database>;
  const repos = bindStagedRepos(db, new BatchStage(db));
  for (const [plain, staged] of [
    [AlertsRepo, repos.alerts],
    [IncidentsRepo, repos.incidents],
    [DeliveriesRepo, repos.deliveries],
  ] as const) {
    const exempt = notTouchingStagedRows[plain.name];
    const overridden = new Set(Object.getOwnPropertyNames(Object.getPrototypeOf(staged)));
    const methods = Object.getOwnPropertyNames(plain.prototype).filter((name) => name !== 'constructor');
    assert.ok(Object.getPrototypeOf(Object.getPrototypeOf(staged)) === plain.prototype, `${plain.name} is extended`);
    assert.deepEqual(
      methods.filter((name) => !overridden.has(name) && !(name in exempt)),
      [],
      `${plain.name}: methods neither staged nor exempt`,
    );
    assert.deepEqual(
      Object.keys(exempt).filter((name) => !methods.includes(name)),
      [],
      `${plain.name}: exemptions of methods that no longer exist`,
    );
  }
});
