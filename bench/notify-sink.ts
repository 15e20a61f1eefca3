import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../src/worker/thread-host.js';

// The notify bench's receivers: an HTTP sink answering 204 at once, counting requests into a shared counter. It runs
// on a thread at the lowest CPU priority, standing in for receivers on other hosts, whose CPU a deployment's worker
// does not share: with two cores, a sink at normal priority takes a share of the worker's CPU that is the bench's,
// not the product's.
if (!parentPort) throw new Error('notify-sink must run on a worker thread');
const port = parentPort;
const received = new Int32Array(workerData as SharedArrayBuffer);
lowerThreadPriority(19);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    Atomics.add(received, 0, 1);
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => port.postMessage((server.address() as AddressInfo).port));
port.on('message', () => server.close(() => process.exit(0)));
