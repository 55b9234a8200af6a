import { VERDICTS } from '../../services/policy/types.js';
import type { ApplyResult, DryRunResult, ScaleOutResult, ScenarioResult } from './run-scenario.js';

/* The bench's tables, as printed at the end of a run (and pasted into BENCHMARKS.md). */

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const per1000 = (requests: number, users: number) => ((requests / Math.max(1, users)) * 1000).toFixed(1);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function dryRunTables(results: DryRunResult[]): string {
  const speed = table(
    [
      'scenario',
      'users',
      'naive u/s',
      'smart u/s',
      'BullMQ no-op jobs/s',
      'Reclaim u/s',
      'Reclaim/naive',
      'Reclaim/smart',
      'Reclaim % of BullMQ',
    ],
    results.map((r) => [
      r.scenario.name,
      int(r.scenario.users),
      `${int(r.naive.usersPerSecond)}${r.naive.naive?.sampled ? '*' : ''}`,
      int(r.smart.usersPerSecond),
      int(r.ceiling.jobsPerSecond),
      int(r.reclaim.usersPerSecond),
      `${(r.reclaim.usersPerSecond / r.naive.usersPerSecond).toFixed(1)}×`,
      `${(r.reclaim.usersPerSecond / r.smart.usersPerSecond).toFixed(2)}×`,
      `${((r.reclaim.usersPerSecond / r.ceiling.jobsPerSecond) * 100).toFixed(0)} %`,
    ]),
  );
  const cost = table(
    [
      'scenario',
      'Jira req/1k naive',
      'smart',
      'Reclaim',
      'worker peak RSS',
      'sim load',
      'sim peak RSS',
      'Redis peak used_memory',
      'Redis peak RSS',
    ],
    results.map((r) => [
      r.scenario.name,
      per1000(r.naive.requests.jira, r.naive.users),
      per1000(r.smart.requests.jira, r.smart.users),
      per1000(r.reclaim.requests.jira, r.reclaim.users),
      r.reclaim.workerPeakRss.map(mb).join(', '),
      `${r.environment.simLoadSeconds.toFixed(1)} s`,
      mb(r.environment.simPeakRss),
      mb(r.reclaim.redisPeakUsedMemory),
      mb(r.environment.redisPeakRss),
    ]),
  );
  const verdicts = results
    .map((r) => {
      const show = (v: Record<string, number | undefined>) =>
        VERDICTS.filter((verdict) => v[verdict] !== undefined)
          .map((verdict) => [verdict, v[verdict]] as const)
          .map(([verdict, n]) => `${verdict} ${n}`)
          .join(', ');
      return [
        `${r.scenario.name}: Reclaim ${show(r.reclaim.verdicts)}`,
        `  smart  ${show(r.smart.verdicts)}`,
        `  naive  ${show(r.naive.verdicts)}${r.naive.naive?.sampled ? ` (the first ${r.naive.users} users)` : ''}`,
        ...r.notes.map((note) => `  note: ${note}`),
      ].join('\n');
    })
    .join('\n');
  const sampled = results.some((r) => r.naive.naive?.sampled)
    ? '\n* naive script sampled and its rate extrapolated (see the notes)'
    : '';
  return `Dry runs (speed)\n${speed}${sampled}\n\nDry runs (cost)\n${cost}\n\nVerdicts\n${verdicts}`;
}

function applyTable(results: ApplyResult[]): string {
  return (
    'Apply under a rate limit\n' +
    table(
      [
        'scenario',
        'users',
        'limit req/s',
        'actions done',
        'failed',
        'not possible',
        'apply s',
        'actions/s',
        'Jira req/s',
        'share of limit',
        '429s',
      ],
      results.map((r) => {
        const a = r.reclaim.actions!;
        return [
          r.scenario.name,
          int(r.scenario.users),
          String(r.scenario.rateLimit),
          int(a.done),
          int(a.failed),
          int(a.notPossible),
          a.seconds.toFixed(1),
          r.actionsPerSecond.toFixed(1),
          (a.requests / Math.max(a.seconds, 0.001)).toFixed(1),
          `${(r.shareOfLimit * 100).toFixed(0)} %`,
          int(a.rateLimited),
        ];
      }),
    )
  );
}

function scaleOutTable(results: ScaleOutResult[]): string {
  return (
    'Scale-out (worker processes on this machine)\n' +
    table(
      ['scenario', 'workers', 'users', 'seconds', 'users/s', 'vs 1 worker', 'worker peak RSS'],
      results.flatMap((r) =>
        r.runs.map((run) => [
          r.scenario.name,
          String(run.workers),
          int(run.users),
          run.seconds.toFixed(1),
          int(run.usersPerSecond),
          `${(run.usersPerSecond / r.runs[0]!.usersPerSecond).toFixed(2)}×`,
          run.workerPeakRss.map(mb).join(', '),
        ]),
      ),
    )
  );
}

export function renderTables(results: ScenarioResult[]): string {
  const dry = results.filter((r): r is DryRunResult => r.scenario.kind === 'dry-run');
  const apply = results.filter((r): r is ApplyResult => r.scenario.kind === 'apply');
  const scale = results.filter((r): r is ScaleOutResult => r.scenario.kind === 'scale-out');
  return [
    dry.length ? dryRunTables(dry) : '',
    apply.length ? applyTable(apply) : '',
    scale.length ? scaleOutTable(scale) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
