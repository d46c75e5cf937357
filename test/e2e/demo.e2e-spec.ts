import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs `npm run demo -- --records 2000` as a child process, as a user would, and expects it to finish cleanly.
 * The demo starts its own FerretDB and stripe-mock: nothing from Jest's global setup may leak into it, so the
 * child gets the environment minus the test harness's database, Stripe and Node test settings.
 */
const HARNESS_VARS = [
  'MONGODB_URI',
  'TEST_MONGODB_BASE',
  'STRIPE_API_HOST',
  'STRIPE_API_PORT',
  'STRIPE_API_PROTOCOL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'AUDEX_DATA_DIR',
  'PORT',
  'PUBLIC_BASE_URL',
  'NODE_ENV',
  'NODE_OPTIONS',
  'LOG_LEVEL',
  'JEST_WORKER_ID',
];

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of HARNESS_VARS) delete env[name];
  return env;
}

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join('demo', 'demo.ts'), ...args], {
      cwd: process.cwd(),
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('walks the whole marketplace with 2000 records and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo(['--records', '2000']);
    const output = `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    if (code !== 0) throw new Error(`demo exited with ${code}\n${output}`);
    expect(stdout).toMatch(/^demo complete: 9 steps ok/m);
    expect(stdout).toMatch(/^1\. Publisher registers and uploads its audiences/m);
    expect(stdout).toMatch(/received 2,000, inserted 2,000, rejected 0/);
    expect(stdout).toMatch(/buyers notified: 1/);
    expect(stdout).not.toMatch(/FAILED/);
  }, 300_000);
});
