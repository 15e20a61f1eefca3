import { runAdapterBench } from './adapter-bench.js';
import { benchEndpoint, benchEndToEnd, benchLatency, benchWorkerDrain } from './ingest-bench.js';

/** Runs every benchmark in one go and prints the figures next to their targets. Never fails the build. */
async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const mark = (ok: boolean) => (ok ? 'meets target' : 'BELOW TARGET');
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    process.stdout.write(line + '\n');
  };
  print(`alertgate benchmarks (${seconds}s per load run, 32 connections, loopback)`);

  const { bare, standard } = await benchEndpoint(seconds);
  const ratio = standard.requestsPerSecond / bare.requestsPerSecond;
  const cpuRatio = bare.cpuMicrosPerRequest / standard.cpuMicrosPerRequest;
  print(`(a) bare express 5 + express.json():          ${bare.requestsPerSecond.toFixed(0)} req/s, ${bare.cpuMicrosPerRequest.toFixed(0)} µs CPU/request (p99 ${bare.p99} ms)`);
  print(`(b) standard endpoint, single-event pushes:   ${standard.requestsPerSecond.toFixed(0)} req/s, ${standard.cpuMicrosPerRequest.toFixed(0)} µs CPU/request (p99 ${standard.p99} ms)`);
  print(`    (b)/(a) throughput: ${(ratio * 100).toFixed(1)}%  target ≥ 60%  ${mark(ratio >= 0.6)};  by CPU per request: ${(cpuRatio * 100).toFixed(1)}%`);

  const total = Number(process.env.BENCH_EVENTS ?? 20000);
  const single = await benchEndToEnd(total, false);
  print(`(c) end to end, ${total} events, SQLite, \`alertgate start\` (one process):  ${single.toFixed(0)} events/s  target ≥ 3000  ${mark(single >= 3000)}`);
  const split = await benchEndToEnd(total, true);
  print(`(c) end to end, ${total} events, SQLite, gateway + worker processes:     ${split.toFixed(0)} events/s  target ≥ 3000  ${mark(split >= 3000)}`);
  const batched = await benchEndToEnd(total, false, 50);
  print(`(c) end to end, ${total} events, SQLite, \`alertgate start\`, 50 events per push: ${batched.toFixed(0)} events/s  target ≥ 3000  ${mark(batched >= 3000)}`);
  const drain = await benchWorkerDrain(total);
  print(`    worker alone, draining a filled queue (SQLite), rules off:   ${drain.toFixed(0)} events/s`);
  const drainRules = await benchWorkerDrain(total, true);
  const cost = 1 - drainRules / drain;
  print(`    same with grouping, 100 silences, enrichment on:             ${drainRules.toFixed(0)} events/s  rules cost ${(cost * 100).toFixed(1)}%  target ≤ 30%  ${mark(cost <= 0.3)}`);
  const latency = await benchLatency(500, seconds);
  print(`(c) push→incident latency at 500 events/s:     p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.samples} incidents)  target p99 < 100 ms  ${mark(latency.p99 < 100)}`);
  await runAdapterBench();
}

main().catch((error: Error) => {
  process.stderr.write(`benchmark failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 0;
});
