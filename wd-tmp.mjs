import { benchWorkerDrain } from './dist/bench/ingest-bench.js';
console.log('off', (await benchWorkerDrain(10000)).toFixed(0));
console.log('on ', (await benchWorkerDrain(10000, true)).toFixed(0));
