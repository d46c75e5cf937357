/**
 * npm run bench:overlap-parse [-- --identifiers N --runs R --parser path/to/overlap-body.ts]
 *   (defaults 1,000,000 identifiers, 5 runs, src/matching/overlap-body.ts; needs node --expose-gc, as the npm
 *   script runs it)
 *
 * Parses an overlap body of N identifiers, built in memory and handed over in 64 KiB chunks as a socket delivers
 * them, with the OverlapBodyParser of --parser (another version, e.g. one taken from git, can be compared in a
 * process of its own). Each run is timed twice: as the route parses (each identifier into the Sha256Set), and
 * with maxIdentifiers 0 (identifiers checked and counted, none stored: the parse alone). Memory, per run: how
 * much the heap and the RSS grew at the peak (sampled every 16 chunks) and, after a full GC with the result
 * alive, the heap and the typed arrays (where the Sha256Set lives). The first run's figures are the cleanest.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

type Parser = { write(b: Buffer): void; end(): unknown };

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const count = Number(option('identifiers', '1000000').replace(/_/g, ''));
const runs = Number(option('runs', '5'));
const parserPath = resolve(option('parser', 'src/matching/overlap-body.ts'));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const CHUNK = 64 * 1024;
const parts = ['{"listingId":"665f1c2e9b1e8a3f4c2d1a0b","identifiers":['];
for (let i = 0; i < count; i++) parts.push(`${i ? ',' : ''}"${randomBytes(32).toString('hex')}"`);
parts.push(']}');
const body = Buffer.from(parts.join(''));
parts.length = 0;
const chunks: Buffer[] = [];
for (let i = 0; i < body.length; i += CHUNK) chunks.push(Buffer.from(body.subarray(i, i + CHUNK)));

const MiB = (n: number) => `${n < 0 ? '' : '+'}${(n / 2 ** 20).toFixed(1)} MiB`;

function parse(make: () => Parser, report: boolean): number {
  gc!();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const t0 = performance.now();
  const parser = make();
  for (let i = 0; i < chunks.length; i++) {
    parser.write(chunks[i]);
    if (report && i % 16 === 0) {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }
  }
  const result = parser.end();
  const ms = performance.now() - t0;
  if (report) {
    gc!();
    const after = process.memoryUsage();
    console.log(
      `  ${ms.toFixed(0).padStart(5)} ms   peak: heap ${MiB(peakHeap - before.heapUsed)}, rss ${MiB(peakRss - before.rss)}` +
        `   after: heap ${MiB(after.heapUsed - before.heapUsed)}, typed arrays ${MiB(after.arrayBuffers - before.arrayBuffers)}`,
    );
  }
  if (!result) throw new Error('no result');
  return ms;
}

async function main(): Promise<void> {
  const { OverlapBodyParser } = (await import(parserPath)) as { OverlapBodyParser: new (maxIdentifiers: number) => Parser };
  console.log(`${parserPath}\n${count} identifiers, ${(body.length / 2 ** 20).toFixed(1)} MiB in ${chunks.length} chunks; Node ${process.version}`);
  const full: number[] = [];
  const alone: number[] = [];
  for (let r = 0; r < runs; r++) {
    full.push(parse(() => new OverlapBodyParser(count), true));
    alone.push(parse(() => new OverlapBodyParser(0), false));
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(0);
  console.log(`median of ${runs}: ${median(full)} ms into the Sha256Set, ${median(alone)} ms parse alone (maxIdentifiers 0)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
