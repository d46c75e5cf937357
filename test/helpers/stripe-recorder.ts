import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStripeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The form-encoded body as flat `key[sub][0]` → value pairs, as the SDK sent it. */
  form: Record<string, string>;
}

export interface StripeRecorder {
  port: number;
  requests: RecordedStripeRequest[];
  /** Env overrides that point an app's Stripe client at this recorder. */
  env: Record<string, string>;
  find(method: string, path: string): RecordedStripeRequest[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP proxy in front of stripe-mock that records what the app's Stripe SDK sent (stripe-mock echoes
 * little, and the SDK's 'request' event carries no body), then forwards it unchanged.
 */
export async function startStripeRecorder(): Promise<StripeRecorder> {
  const host = process.env.STRIPE_API_HOST;
  const port = Number(process.env.STRIPE_API_PORT);
  if (!host || !port) throw new Error('stripe-mock is not running: STRIPE_API_HOST/PORT unset (run through jest)');
  const requests: RecordedStripeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0];
      requests.push({
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
      });
      const upstream = httpRequest(
        { host, port, method: req.method, path: req.url, headers: { ...req.headers, host: `${host}:${port}` } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const own = (server.address() as AddressInfo).port;
  return {
    port: own,
    requests,
    env: { STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: String(own), STRIPE_API_PROTOCOL: 'http' },
    find: (method, p) => requests.filter((r) => r.method === method && r.path === p),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
