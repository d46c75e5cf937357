import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../src/database/ferretdb';

/** Stripe's stripe-mock, built by scripts/build-stripe-mock.sh, for the tests and the demo. */
export interface RunningStripeMock {
  port: number;
  process: ChildProcess;
  /** Scratch directory (the unused HTTPS socket); removed by stop(). */
  dir: string;
  stop(): void;
}

export async function startStripeMock(): Promise<RunningStripeMock> {
  const bin = execFileSync('bash', [resolve(process.cwd(), 'scripts', 'build-stripe-mock.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'audex-stripe-'));
  // Plain HTTP on loopback only; the HTTPS listener goes to a unix socket nobody uses.
  const child = spawn(bin, ['-http-addr', `127.0.0.1:${port}`, '-https-unix', join(dir, 'https.sock')], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/v1/charges`, 30_000);
  } catch (e) {
    stop();
    throw e;
  }
  return { port, process: child, dir, stop };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { headers: { Authorization: 'Bearer sk_test_123' } });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
