/**
 * npm run bench: runs every benchmark (ingest, browse, match/export) one after the other, each in its own
 * process, and writes docs/performance.md: machine details, then each figure beside its in-run baseline and
 * the ratio. Arguments after `--` go to every benchmark (e.g. `npm run bench -- --quick`).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { type BenchResult, RESULT_PREFIX } from './report';

const QUICK = process.argv.includes('--quick');
const BENCHES: { name: string; script: string; args: string[] }[] = [
  { name: 'ingest', script: 'bench/ingest.ts', args: QUICK ? ['--records', '20000'] : [] },
  { name: 'browse', script: 'bench/browse.ts', args: QUICK ? ['--duration', '5'] : [] },
  { name: 'match', script: 'bench/match.ts', args: QUICK ? ['--members', '20000', '--submitted', '20000', '--runs', '1'] : [] },
];

function run(script: string, args: string[]): Promise<{ code: number; results: BenchResult[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const results: BenchResult[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith(RESULT_PREFIX)) results.push(JSON.parse(line.slice(RESULT_PREFIX.length)));
      }
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, results }));
  });
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

async function main() {
  const all: BenchResult[] = [];
  const failed: string[] = [];
  for (const b of BENCHES) {
    process.stdout.write(`\n=== bench:${b.name}\n`);
    const { code, results } = await run(b.script, b.args);
    if (code !== 0 || results.length === 0) failed.push(b.name);
    all.push(...results);
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  const lines = [
    '# Performance',
    '',
    'Written by `npm run bench` (bench/run-all.ts). Each figure stands beside a baseline measured in the same run on the',
    'same machine, and the ratio between them; absolute numbers vary between machines, the ratios much less.',
    '',
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()}; Node ${process.version}`,
    `- Database: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded FerretDB v1.24.2 over SQLite'}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (quick sizes)' : ''}`,
    '',
  ];
  for (const r of all) {
    lines.push(`## ${r.bench}`, '');
    const rss = r.rssMiB
      ? `peak RSS: ${Object.entries(r.rssMiB).map(([k, v]) => `${k} ${v} MiB`).join(', ')}`
      : `peak RSS ${r.peakRssMiB} MiB (the bench process: app, driver and generator together)`;
    lines.push(`Parameters: ${Object.entries(r.parameters).map(([k, v]) => `${k} = ${v}`).join(', ')}; ${rss}.`, '');
    lines.push('| measured | value | baseline (same run) | baseline value | ratio | goal |', '|---|---|---|---|---|---|');
    for (const row of r.rows) {
      lines.push(`| ${row.metric} | ${fmt(row.value)} ${row.unit} | ${row.baselineLabel} | ${fmt(row.baseline)} ${row.unit} | ${row.ratio.toFixed(2)} | ${row.goal ?? ''} |`);
    }
    lines.push('');
  }
  if (failed.length) lines.push(`Benchmarks that did not complete: ${failed.join(', ')}.`, '');
  const previous = (() => {
    try {
      const text = readFileSync('docs/performance.md', 'utf8');
      const i = text.indexOf('\n## Notes');
      return i >= 0 ? text.slice(i + 1) : '';
    } catch {
      return '';
    }
  })();
  writeFileSync('docs/performance.md', `${lines.join('\n')}\n${previous}`);
  process.stdout.write(`\nwrote docs/performance.md (${all.length} benchmarks${failed.length ? `, failed: ${failed.join(', ')}` : ''})\n`);
  process.exit(failed.length ? 1 : 0);
}

void main();
