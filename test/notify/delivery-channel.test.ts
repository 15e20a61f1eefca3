import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { newId } from '../../src/events/ids.js';
import { listenForOutbox, type HandedChanges } from '../../src/notify/delivery-channel.js';

test('the changes a pipeline thread hands over with a commit reach the notifier thread of its process', async () => {
  const prefix = `agtest-channel-${newId().toLowerCase()}`;
  const received: HandedChanges[] = [];
  const twoMessages = new Promise<void>((resolve) => {
    const listener = listenForOutbox(prefix, (changes) => {
      received.push(changes);
      if (received.length === 2) {
        listener.close();
        resolve();
      }
    });
  });
  // A change goes over as the incident or alert row it showed; the notifier builds its body.
  const alertChange = {
    event_type: 'a_new',
    event_time: 1_764_770_000_000,
    alert: { alert_id: 'al1', title: 'disk full', alert_status: 'Critical', labels: '{"host":"db1"}', is_open: 1 },
    incident: { incident_id: 'inc1', title: 'disk full' },
  };
  const incidentChange = {
    event_type: 'i_new',
    event_time: 1_764_770_000_000,
    incident: { incident_id: 'inc1', title: 'disk full', description: null, labels: '{"host":"db1"}', alert_cnt: 1 },
  };
  // Another thread of this process announces two commits: one whose rows went without bodies, one (a timer's) whose
  // rows carry theirs.
  const announcer = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    import(workerData.module).then(async ({ DeliveryAnnouncer }) => {
      const announcer = new DeliveryAnnouncer(workerData.prefix);
      await announcer.relay([
        { change_id: 'c1', receivers: ['a'], handed: workerData.alertChange },
        { change_id: 'c2', receivers: ['a', 'b'], handed: workerData.incidentChange },
      ]);
      await announcer.relay([{ change_id: 'c3', receivers: ['a'] }]);
      announcer.close();
    });
    `,
    {
      eval: true,
      workerData: {
        prefix,
        alertChange,
        incidentChange,
        module: new URL('../../src/notify/delivery-channel.js', import.meta.url).href,
      },
    },
  );
  const exited = new Promise((resolve) => announcer.once('exit', resolve));
  // The listening side does not keep a thread alive on its own: this does, while the test waits.
  const keepAlive = setInterval(() => undefined, 1_000);
  await twoMessages;
  await exited;
  clearInterval(keepAlive);
  assert.deepEqual(received, [
    [
      ['c1', alertChange],
      ['c2', incidentChange],
    ],
    [],
  ]);
});
