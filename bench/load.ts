/**
 * The load generator, run in a process of its own (see loadTest) so that autocannon's work, its timers and its
 * garbage collection never share an event loop with the server being measured: the latency it records is the
 * server's and the network's, not time spent waiting behind the client's own callbacks.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  overallRate: number;
}

/** Runs autocannon against `spec.url` from a child Node process and resolves with its result. */
export function loadTest(spec: LoadSpec): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const child = fork(join(process.cwd(), 'bench', 'load.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, BENCH_LOAD_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: autocannon.Result | undefined;
    child.on('message', (m) => {
      result = m as autocannon.Result;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code} and no result`))));
  });
}

// The child: started by loadTest with its spec in the environment.
if (process.send && process.env.BENCH_LOAD_SPEC) {
  const spec = JSON.parse(process.env.BENCH_LOAD_SPEC) as LoadSpec;
  autocannon(spec).then(
    (result) => process.send!(result, () => process.exit(0)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
