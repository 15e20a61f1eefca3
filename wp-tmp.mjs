import { benchWorkerDrain } from './dist/bench/ingest-bench.js';
process.env.NODE_OPTIONS = '--cpu-prof --cpu-prof-dir=/tmp/prof/w';
console.log('on ', (await benchWorkerDrain(10000, true)).toFixed(0));
