import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { newId } from '../../src/events/ids.js';
import { listenForOutbox, type HandedBodies } from '../../src/notify/delivery-channel.js';

test('the bodies a pipeline thread hands over with a commit reach the notifier thread of its process', async () => {
  const prefix = `agtest-channel-${newId().toLowerCase()}`;
  const received: HandedBodies[] = [];
  const twoMessages = new Promise<void>((resolve) => {
    const listener = listenForOutbox(prefix, (bodies) => {
      received.push(bodies);
      if (received.length === 2) {
        listener.close();
        resolve();
      }
    });
  });
  // Another thread of this process announces two commits: one whose rows went without bodies, one (a timer's) whose
  // rows carry theirs.
  const announcer = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    import(workerData.module).then(async ({ DeliveryAnnouncer }) => {
      const announcer = new DeliveryAnnouncer(workerData.prefix);
      await announcer.relay([
        { change_id: 'c1', receivers: ['a'], body: '{"event_id":"c1"}' },
        { change_id: 'c2', receivers: ['a', 'b'], body: '{"event_id":"c2"}' },
      ]);
      await announcer.relay([{ change_id: 'c3', receivers: ['a'] }]);
      announcer.close();
    });
    `,
    {
      eval: true,
      workerData: { prefix, module: new URL('../../src/notify/delivery-channel.js', import.meta.url).href },
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
      ['c1', '{"event_id":"c1"}'],
      ['c2', '{"event_id":"c2"}'],
    ],
    [],
  ]);
});
