import { runAdapterBench } from './adapter-bench.js';
import { benchIngestion, benchNotify, type Receivers } from './notify-bench.js';
import { benchConsoleFirstLoad, canBenchConsole } from './console-bench.js';
import { benchEndpoint, benchEndToEnd, benchLatency, benchWorkerDrain } from './ingest-bench.js';
import { benchSmtp } from './smtp-bench.js';
import { benchEventSearch, benchIncidentList } from './read-api-bench.js';
import { benchRetention } from './retention-bench.js';

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
  const total = Number(process.env.BENCH_EVENTS ?? 20000);
  // The outbound bench alone takes a few minutes; `BENCH_ONLY=notify` runs just that one.
  if (process.env.BENCH_ONLY === 'notify') return runNotifyBench(total, print, mark);

  const { bare, standard } = await benchEndpoint(seconds);
  const ratio = standard.requestsPerSecond / bare.requestsPerSecond;
  const cpuRatio = bare.cpuMicrosPerRequest / standard.cpuMicrosPerRequest;
  print(
    `(a) bare express 5 + express.json():          ${bare.requestsPerSecond.toFixed(0)} req/s, ${bare.cpuMicrosPerRequest.toFixed(0)} µs CPU/request (p99 ${bare.p99} ms)`,
  );
  print(
    `(b) standard endpoint, single-event pushes:   ${standard.requestsPerSecond.toFixed(0)} req/s, ${standard.cpuMicrosPerRequest.toFixed(0)} µs CPU/request (p99 ${standard.p99} ms)`,
  );
  print(
    `    (b)/(a) throughput: ${(ratio * 100).toFixed(1)}%  target ≥ 60%  ${mark(ratio >= 0.6)};  by CPU per request: ${(cpuRatio * 100).toFixed(1)}%`,
  );

  const single = await benchEndToEnd(total, false);
  print(
    `(c) end to end, ${total} events, SQLite, \`alertgate start\` (one process):  ${single.toFixed(0)} events/s  target ≥ 3000  ${mark(single >= 3000)}`,
  );
  const split = await benchEndToEnd(total, true);
  print(
    `(c) end to end, ${total} events, SQLite, gateway + worker processes:     ${split.toFixed(0)} events/s  target ≥ 3000  ${mark(split >= 3000)}`,
  );
  // PostgreSQL next to SQLite, in the same run: the worker stages a batch's rows and writes them in a few statements.
  const pgSplit = await benchEndToEnd(total, true, 1, 'postgres');
  print(
    `(c) end to end, ${total} events, PostgreSQL, gateway + worker processes: ${pgSplit.toFixed(0)} events/s  target ≥ 2000  ${mark(pgSplit >= 2000)}  (SQLite above: ${split.toFixed(0)})`,
  );
  const pgDrain = await benchWorkerDrain(total, false, 'postgres');
  const sqliteDrain = await benchWorkerDrain(total, false, 'sqlite');
  print(
    `    worker alone, draining a filled queue, PostgreSQL: ${pgDrain.eventsPerSecond.toFixed(0)} events/s, ${pgDrain.cpuMicrosPerEvent.toFixed(0)} µs CPU/event  target ≥ 2000  ${mark(pgDrain.eventsPerSecond >= 2000)};  SQLite: ${sqliteDrain.eventsPerSecond.toFixed(0)} events/s, ${sqliteDrain.cpuMicrosPerEvent.toFixed(0)} µs CPU/event`,
  );
  const batched = await benchEndToEnd(total, false, 50);
  print(
    `(c) end to end, ${total} events, SQLite, \`alertgate start\`, 50 events per push: ${batched.toFixed(0)} events/s  target ≥ 3000  ${mark(batched >= 3000)}`,
  );
  // Off, on, off, on; the cost compares the worker's CPU time per event (steady where wall-clock rates on a shared
  // machine are not), and throughput is the better run of each.
  const off: Array<{ eventsPerSecond: number; cpuMicrosPerEvent: number }> = [];
  const on: typeof off = [];
  for (let round = 0; round < 2; round += 1) {
    off.push(await benchWorkerDrain(total));
    on.push(await benchWorkerDrain(total, true));
  }
  const best = (runs: typeof off) => Math.max(...runs.map((run) => run.eventsPerSecond));
  const cpu = (runs: typeof off) => Math.min(...runs.map((run) => run.cpuMicrosPerEvent));
  const cost = 1 - cpu(off) / cpu(on);
  print(
    `    worker alone, draining a filled queue (SQLite), rules off:   ${best(off).toFixed(0)} events/s, ${cpu(off).toFixed(0)} µs CPU/event`,
  );
  print(
    `    same with grouping, 100 silences, enrichment on:             ${best(on).toFixed(0)} events/s, ${cpu(on).toFixed(0)} µs CPU/event`,
  );
  print(
    `    rules cost: ${(cost * 100).toFixed(1)}% of throughput by CPU per event (${((1 - best(on) / best(off)) * 100).toFixed(1)}% by wall clock)  target ≤ 30%  ${mark(cost <= 0.3)}`,
  );
  const latency = await benchLatency(500, seconds);
  print(
    `(c) push→incident latency at 500 events/s:     p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.samples} incidents)  target p99 < 100 ms  ${mark(latency.p99 < 100)}`,
  );
  const expired = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
  for (const kind of ['sqlite', 'postgres'] as const) {
    const retention = await benchRetention(expired, 500, Math.max(seconds, 20), kind);
    print(
      `retention (${kind}), ${expired} expired events (seeded in ${retention.seedSeconds.toFixed(0)} s): ${retention.rowsPerSecond.toFixed(0)} rows/s removed  target ≥ 10000  ${mark(retention.rowsPerSecond >= 10_000)}`,
    );
    print(
      `    push→incident latency at 500 events/s meanwhile (${retention.pushedPerSecond.toFixed(0)} pushes/s answered): p50 ${retention.p50} ms, p99 ${retention.p99} ms (${retention.samples} incidents after the process's first second; in that second p99 ${retention.coldP99} ms)  target p99 < 100 ms  ${mark(retention.p99 < 100)}`,
    );
  }
  await runAdapterBench();
  const mails = Number(process.env.BENCH_MAILS ?? 3000);
  const smtp = await benchSmtp(mails, 8);
  print(
    `(e) SMTP, ${mails} mails of 10 KB, 8 pooled connections: bare smtp-server ${smtp.bare.mailsPerSecond.toFixed(0)} mails/s (${smtp.bare.cpuMicrosPerMail.toFixed(0)} µs CPU/mail); email integration (parse, map, queue before 250) ${smtp.gateway.mailsPerSecond.toFixed(0)} mails/s (${smtp.gateway.cpuMicrosPerMail.toFixed(0)} µs CPU/mail)`,
  );

  const incidents = Number(process.env.BENCH_OPEN_INCIDENTS ?? 10000);
  const list = await benchIncidentList(incidents);
  print(
    `(d) incidents page, ${incidents} open + ${incidents} closed (SQLite): first page ${list.pageMs.toFixed(1)} ms, with counts by severity ${list.pageWithCountsMs.toFixed(1)} ms  target < 1000 ms  ${mark(list.pageWithCountsMs < 1000)}`,
  );
  // Filling the table dominates this run (minutes at a million events on a busy machine): BENCH_SEARCH_EVENTS sets it.
  const stored = Number(process.env.BENCH_SEARCH_EVENTS ?? 1_000_000);
  print(
    `(d) events search, a page of 50 over ${stored} stored events (SQLite), median; baseline: without the 0008 indexes`,
  );
  for (const figure of await benchEventSearch(stored))
    print(
      `    ${figure.name.padEnd(30)} ${figure.indexedMs.toFixed(2).padStart(8)} ms   baseline ${figure.baselineMs.toFixed(1).padStart(8)} ms`,
    );
  // Optional: needs a chromium (BENCH_CONSOLE=0 skips it).
  if (process.env.BENCH_CONSOLE !== '0' && canBenchConsole()) {
    const console = await benchConsoleFirstLoad();
    print(
      `(f) console, ${console.count} open incidents, first load of /incidents: first rows ${console.firstRowsMs} ms (login page, no data: ${console.loginPageMs} ms; list API alone: ${console.apiMs} ms)  target < 1000 ms  ${mark(console.firstRowsMs < 1000)}`,
    );
  }
  await runNotifyBench(total, print, mark);
}

/** Runs with no receiver, healthy receivers and receivers down, one of each per round. */
async function inRounds<T>(rounds: number, run: (receivers: Receivers) => Promise<T>): Promise<Record<Receivers, T[]>> {
  const runs: Record<Receivers, T[]> = { none: [], healthy: [], down: [] };
  for (let round = 0; round < rounds; round += 1)
    for (const receivers of ['none', 'healthy', 'down'] as const) runs[receivers].push(await run(receivers));
  return runs;
}

/** The middle value (the upper one of an even count). */
const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/**
 * Outbound notification fan-out: the worker draining the same queue with no receiver, three healthy receivers on a
 * local sink, and three receivers that are down, alternated over five rounds: a drain of a few seconds on a shared
 * machine moves by ±15% from one run to the next, and the machine's own speed drifts over minutes. Each round's runs
 * are compared with the same round's "no receiver" run (the median of those five ratios is the cost that decides
 * the healthy target: drift cancels within a round); best against best and median against median are printed too.
 */
async function runNotifyBench(total: number, print: (line: string) => void, mark: (ok: boolean) => string) {
  const events = Number(process.env.BENCH_NOTIFY_EVENTS ?? Math.min(total, 20_000));
  const rounds = Number(process.env.BENCH_NOTIFY_ROUNDS ?? 5);
  type Figures = Awaited<ReturnType<typeof benchNotify>>;
  const runs = await inRounds(rounds, (receivers) => benchNotify(events, receivers));
  const rates = (list: Figures[]) => list.map((run) => run.eventsPerSecond);
  const best = (list: Figures[]) => Math.max(...rates(list));
  const cpu = (list: Figures[]) =>
    `${middle(list.map((run) => run.cpuMicrosPerEvent)).toFixed(0)} µs CPU/event (pipeline thread ${middle(list.map((run) => run.pipelineCpuMicrosPerEvent)).toFixed(0)} µs), medians`;
  const rate = (list: Figures[]) =>
    `${rates(list)
      .map((value) => value.toFixed(0))
      .join(' / ')} events/s (median ${middle(rates(list)).toFixed(0)}, best ${best(list).toFixed(0)}), ${cpu(list)}`;
  const fanOut = runs.healthy.map((run) => run.changesPerSecond ?? 0);
  const cost = (list: Figures[]) => ({
    paired: middle(list.map((run, round) => 1 - run.eventsPerSecond / (runs.none[round]?.eventsPerSecond ?? NaN))),
    best: 1 - best(list) / best(runs.none),
    median: 1 - middle(rates(list)) / middle(rates(runs.none)),
  });
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const costs = (share: ReturnType<typeof cost>) =>
    `${percent(share.paired)} below "no receiver" of the same round (median of ${rounds}; best against best ${percent(share.best)}, median against median ${percent(share.median)})`;
  const healthyCost = cost(runs.healthy);
  const downCost = cost(runs.down);
  print(`notify: worker draining ${events} events, each opening an incident (SQLite), ${rounds} alternating rounds`);
  print(`        no receiver:                ${rate(runs.none)}`);
  print(
    `        3 healthy receivers:        ${rate(runs.healthy)} (deliveries sent by the notifier thread of the same process; the sink runs at the lowest CPU priority)`,
  );
  print(`        3 receivers down:           ${rate(runs.down)} (connection refused)`);
  print(
    `        fan-out: ${middle(fanOut).toFixed(0)} incident changes/s delivered to all 3 receivers, median (best ${Math.max(...fanOut).toFixed(0)}; ${(middle(fanOut) * 3).toFixed(0)} requests/s)`,
  );
  print(
    `        notify cost, healthy receivers: ${costs(healthyCost)}  target ≤ 15%  ${mark(healthyCost.paired <= 0.15)}`,
  );
  print(
    `        notify cost, receivers down:    ${costs(downCost)} (the worker's own capacity; the target is ingestion's, below)`,
  );
  await runIngestionBench(print, mark);
}

/**
 * Ingestion while receivers are down, as senders see it: gateway and worker running side by side (two processes on
 * the same machine, as deployed), single-event pushes, with no receiver, three healthy ones and three down, in
 * alternating rounds; each run is compared with the "no receiver" run of its round, as above.
 */
async function runIngestionBench(print: (line: string) => void, mark: (ok: boolean) => string) {
  const events = Number(process.env.BENCH_INGESTION_EVENTS ?? 10_000);
  const rounds = Number(process.env.BENCH_NOTIFY_ROUNDS ?? 5);
  type Figures = Awaited<ReturnType<typeof benchIngestion>>;
  const runs = await inRounds(rounds, (receivers) => benchIngestion(events, receivers));
  const percent = (share: number) => `${(Math.abs(share) * 100).toFixed(1)}% ${share >= 0 ? 'below' : 'above'}`;
  const cost = (list: Figures[], figure: 'acceptedPerSecond' | 'endToEndPerSecond') =>
    middle(list.map((run, round) => 1 - run[figure] / (runs.none[round]?.[figure] ?? NaN)));
  // Every run's figure is printed: this machine's speed moves between levels, and which runs met which shows in them.
  const rates = (list: Figures[]) =>
    `accepted ${list.map((run) => run.acceptedPerSecond.toFixed(0)).join(' / ')} events/s (median ${middle(list.map((run) => run.acceptedPerSecond)).toFixed(0)}, p99 ${middle(list.map((run) => run.p99))} ms), applied end to end ${middle(list.map((run) => run.endToEndPerSecond)).toFixed(0)} events/s, medians`;
  print(
    `notify: ingestion, ${events} single-event pushes to a gateway with the worker running beside it (SQLite), ${rounds} alternating rounds`,
  );
  print(`        no receiver:                ${rates(runs.none)}`);
  print(`        3 healthy receivers:        ${rates(runs.healthy)}`);
  print(`        3 receivers down:           ${rates(runs.down)}`);
  const costs = (list: Figures[]) =>
    `accepted ${percent(cost(list, 'acceptedPerSecond'))}, end to end ${percent(cost(list, 'endToEndPerSecond'))} "no receiver" of the same round (medians of ${rounds})`;
  print(`        ingestion, healthy receivers: ${costs(runs.healthy)}`);
  const down = Math.max(cost(runs.down, 'acceptedPerSecond'), cost(runs.down, 'endToEndPerSecond'));
  print(
    `        ingestion, receivers down:    ${costs(runs.down)}  target: keeps its rate (within 5%)  ${mark(down <= 0.05)}`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`benchmark failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 0;
});
