import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import * as http from 'node:http';
import * as net from 'node:net';
import { type AddressInfo, type LookupFunction } from 'node:net';
import { AppError } from '../common/app-error';
import { APP_CONFIG, loadConfig } from '../config/config';
import {
  createWebhookAgents,
  parseRetryAfter,
  signAudexPayload,
  validateWebhookUrl,
  verifyAudexSignature,
  WebhookPusher,
  type WebhookPusherOptions,
} from './webhook-push';

// Network traffic in this file goes to 127.0.0.0/8 only. Private-range probes must be refused before any packet
// leaves; that is asserted by their outcome (attempts 0, WEBHOOK_URL_FORBIDDEN).

const SECRET = 'whsec_test_0123456789abcdef';
const RECEIVER_IP = '127.0.0.2';

/** Resolves every name to `address` (the "DNS" of these tests), answering both lookup forms Node uses. */
function lookupTo(address: string): LookupFunction {
  const family = net.isIPv6(address) ? 6 : 4;
  return ((_host: string, options: any, cb: any) => {
    if (typeof options === 'function') cb = options;
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as LookupFunction;
}

function pusher(opts: WebhookPusherOptions = {}, env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'true', DELIVERY_WEBHOOK_MAX_ATTEMPTS: '5', ...env });
  const sleep = jest.fn(async (_ms: number) => undefined);
  return { p: new WebhookPusher(config, { sleep, random: () => 0.5, ...opts }), sleep };
}

/** A TCP server on 127.0.0.1 that only counts connections: any connection is an SSRF that got through. */
async function countingServer() {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    count: () => connections,
    close: () => new Promise<void>((r) => { sockets.forEach((s) => s.destroy()); server.close(() => r()); }),
  };
}

interface Received { headers: http.IncomingHttpHeaders; body: Buffer }

/** An HTTP receiver on 127.0.0.2 (the "public" side), answering with the statuses given in turn. */
async function receiver(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      handler(req, res, received.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, RECEIVER_IP, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://hooks.receiver.test:${port}/audex`,
    received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const toReceiver: WebhookPusherOptions = { allowIPAddressList: [RECEIVER_IP], lookup: lookupTo(RECEIVER_IP) };
const body = Buffer.from('{"deliveryId":"d1","records":2}\n');
const push = (p: WebhookPusher, url: string) => p.push({ url, body, deliveryId: 'dlv_1', secret: SECRET });

describe('validateWebhookUrl', () => {
  const refused = (url: string, allowInsecure = true) => {
    try {
      validateWebhookUrl(url, { allowInsecure });
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).getStatus()).toBe(400);
      return (e as AppError).code;
    }
    return 'accepted';
  };

  it.each([
    'https://127.0.0.1/', 'https://localhost/', 'https://LOCALHOST./', 'https://api.localhost/', 'https://[::1]/',
    'https://0.0.0.0/', 'https://0/', 'https://10.0.0.1/', 'https://172.16.0.1/', 'https://172.31.255.255/',
    'https://192.168.1.1/', 'https://169.254.169.254/latest/meta-data/', 'https://100.64.0.1/', 'https://2130706433/',
    'https://0177.0.0.1/', 'https://0x7f.1/', 'https://127.1/', 'https://[::ffff:127.0.0.1]/', 'https://[::ffff:a9fe:a9fe]/',
    'https://[fe80::1]/', 'https://[fd00:ec2::254]/', 'https://[::]/', 'https://[64:ff9b::7f00:1]/', 'https://[2002:7f00:1::]/',
    'https://224.0.0.1/', 'https://255.255.255.255/', 'https://metadata.google.internal/', 'https://printer.local/',
    'https://intranet/', 'https://user:pass@hooks.example.com/', 'https://user@hooks.example.com/',
    'ftp://hooks.example.com/', 'file:///etc/passwd', 'gopher://hooks.example.com/', 'not a url', '',
    `https://hooks.example.com/${'a'.repeat(2048)}`,
  ])('refuses %s', (url) => {
    expect(refused(url)).toBe('WEBHOOK_URL_FORBIDDEN');
  });

  it('refuses http unless insecure webhooks are allowed', () => {
    expect(refused('http://hooks.example.com/x', false)).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(refused('http://hooks.example.com/x', true)).toBe('accepted');
  });

  it.each(['https://hooks.example.com/audex?x=1', 'https://hooks.example.com:8443/', 'https://8.8.8.8/', 'https://[2606:4700::1111]/'])(
    'accepts %s',
    (url) => {
      expect(refused(url, false)).toBe('accepted');
    },
  );

  it('gives a message saying why', () => {
    expect(() => validateWebhookUrl('https://10.0.0.1/', { allowInsecure: false })).toThrow(/private or reserved/);
    expect(() => validateWebhookUrl('http://x.example.com/', { allowInsecure: false })).toThrow(/https/);
  });
});

describe('WebhookPusher SSRF defences', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => {
    target = await countingServer();
  });
  afterAll(() => target.close());

  it('refuses every probe URL before connecting, and says so in the outcome without throwing', async () => {
    const { p } = pusher();
    const port = target.port;
    const probes = [
      '127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254',
      '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', 'foo.localhost',
    ].map((h) => `http://${h}:${port}/`);
    probes.push(`http://user:pw@example.com:${port}/`);
    for (const url of probes) {
      const out = await push(p, url);
      expect({ url, ok: out.ok, attempts: out.attempts, code: out.error?.code }).toEqual({
        url, ok: false, attempts: 0, code: 'WEBHOOK_URL_FORBIDDEN',
      });
    }
    expect(target.count()).toBe(0);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::1', '::ffff:127.0.0.1'])(
    'refuses at connect time a public-looking name that resolves to %s (DNS rebinding)',
    async (address) => {
      const { p, sleep } = pusher({ lookup: lookupTo(address) });
      const out = await push(p, `http://rebind.attacker.example:${target.port}/`);
      expect(out).toMatchObject({ ok: false, attempts: 1, error: { code: 'WEBHOOK_ADDRESS_FORBIDDEN' } });
      expect(sleep).not.toHaveBeenCalled(); // a policy refusal is not retried
      expect(target.count()).toBe(0);
    },
  );

  it('the agents refuse an IP literal at connect time even without URL validation', async () => {
    const agents = createWebhookAgents();
    for (const host of ['127.0.0.1', '127.0.0.2', '::ffff:127.0.0.1']) {
      const err = await new Promise<Error>((resolve) => {
        const req = http.request({ host, port: target.port, method: 'POST', agent: agents.http }, () => resolve(new Error('got a response')));
        req.on('error', resolve);
        req.end();
      });
      expect(err.message).toMatch(/is not allowed/);
    }
    expect(target.count()).toBe(0);
  });

  it('does not follow a redirect to loopback', async () => {
    const pub = await receiver((_req, res) => {
      res.writeHead(302, { Location: `http://127.0.0.1:${target.port}/` }).end();
    });
    try {
      const { p, sleep } = pusher(toReceiver);
      const out = await push(p, pub.url);
      expect(out).toMatchObject({ ok: false, attempts: 1, status: 302, error: { code: 'WEBHOOK_REDIRECT_REFUSED' } });
      expect(sleep).not.toHaveBeenCalled();
      expect(pub.received).toHaveLength(1);
      expect(target.count()).toBe(0);
    } finally {
      await pub.close();
    }
  });

  it('the connection counter does see a real connection (control)', async () => {
    const before = target.count();
    await new Promise<void>((r) => net.connect(target.port, '127.0.0.1').on('close', () => r()).on('data', () => undefined));
    expect(target.count()).toBe(before + 1);
  });
});

describe('WebhookPusher delivery', () => {
  it('sends a signed body that the receiver can verify', async () => {
    const rx = await receiver((_req, res) => res.writeHead(204).end());
    try {
      const { p } = pusher(toReceiver);
      const out = await p.push({ url: rx.url, body, deliveryId: 'dlv_42', secret: SECRET, contentType: 'application/x-ndjson' });
      expect(out).toMatchObject({ ok: true, attempts: 1, status: 204 });
      expect(out.durationMs).toBeGreaterThanOrEqual(0);
      const [got] = rx.received;
      expect(got.body.equals(body)).toBe(true);
      expect(got.headers['audex-delivery-id']).toBe('dlv_42');
      expect(got.headers['content-type']).toBe('application/x-ndjson');
      const sig = got.headers['audex-signature'] as string;
      expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyAudexSignature(sig, got.body, SECRET, 300)).toBe(true);
      expect(verifyAudexSignature(sig, got.body, 'whsec_another_secret_000', 300)).toBe(false);
      expect(verifyAudexSignature(sig, Buffer.concat([got.body, Buffer.from(' ')]), SECRET, 300)).toBe(false);
    } finally {
      await rx.close();
    }
  });

  it('verifyAudexSignature checks the timestamp window and accepts a rotated secret alongside', () => {
    const t = 1_800_000_000;
    const header = signAudexPayload(body, SECRET, t);
    expect(verifyAudexSignature(header, body, SECRET, 300, t + 299)).toBe(true);
    expect(verifyAudexSignature(header, body, SECRET, 300, t + 301)).toBe(false);
    expect(verifyAudexSignature(header, body, SECRET, 300, t - 301)).toBe(false);
    const forged = header.replace(/t=\d+/, `t=${t + 1000}`);
    expect(verifyAudexSignature(forged, body, SECRET, 300, t + 1000)).toBe(false);
    const rotated = `${header},v1=${signAudexPayload(body, 'whsec_old_secret_0000000', t).split('v1=')[1]}`;
    expect(verifyAudexSignature(rotated, body, 'whsec_old_secret_0000000', 300, t)).toBe(true);
    for (const bad of [undefined, '', 'garbage', `t=${t}`, `v1=${'0'.repeat(64)}`, `t=x,v1=${'0'.repeat(64)}`]) {
      expect(verifyAudexSignature(bad, body, SECRET, 300, t)).toBe(false);
    }
  });

  it('retries 503 with backoff and succeeds on the third attempt', async () => {
    const rx = await receiver((_req, res, n) => res.writeHead(n < 3 ? 503 : 200).end());
    try {
      const { p, sleep } = pusher(toReceiver);
      const out = await push(p, rx.url);
      expect(out).toMatchObject({ ok: true, attempts: 3, status: 200 });
      expect(sleep.mock.calls.map((c) => c[0])).toEqual([750, 1500]); // base 1s·2^k, half fixed + half·random(0.5)
      const sigs = rx.received.map((r) => r.headers['audex-signature']);
      expect(new Set(rx.received.map((r) => r.headers['audex-delivery-id']))).toEqual(new Set(['dlv_1']));
      expect(sigs.every((s) => verifyAudexSignature(s as string, body, SECRET, 300))).toBe(true);
    } finally {
      await rx.close();
    }
  });

  it('does not retry a 400', async () => {
    const rx = await receiver((_req, res) => res.writeHead(400).end());
    try {
      const { p, sleep } = pusher(toReceiver);
      const out = await push(p, rx.url);
      expect(out).toMatchObject({ ok: false, attempts: 1, status: 400, error: { code: 'WEBHOOK_HTTP_ERROR' } });
      expect(sleep).not.toHaveBeenCalled();
      expect(rx.received).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it('honours Retry-After on 429, capped', async () => {
    const rx = await receiver((_req, res, n) => {
      if (n === 1) res.writeHead(429, { 'Retry-After': '7' }).end();
      else if (n === 2) res.writeHead(429, { 'Retry-After': '86400' }).end();
      else res.writeHead(200).end();
    });
    try {
      const { p, sleep } = pusher({ ...toReceiver, maxRetryAfterMs: 30_000 });
      const out = await push(p, rx.url);
      expect(out).toMatchObject({ ok: true, attempts: 3 });
      expect(sleep.mock.calls.map((c) => c[0])).toEqual([7_000, 30_000]);
    } finally {
      await rx.close();
    }
  });

  it('gives up after the configured number of attempts', async () => {
    const rx = await receiver((_req, res) => res.writeHead(500).end());
    try {
      const { p, sleep } = pusher(toReceiver, { DELIVERY_WEBHOOK_MAX_ATTEMPTS: '4' });
      const out = await push(p, rx.url);
      expect(out).toMatchObject({ ok: false, attempts: 4, status: 500, error: { code: 'WEBHOOK_HTTP_ERROR' } });
      expect(sleep).toHaveBeenCalledTimes(3);
      expect(rx.received).toHaveLength(4);
    } finally {
      await rx.close();
    }
  });

  it('retries a dropped connection', async () => {
    let n = 0;
    const server = net.createServer((s) => {
      n++;
      if (n === 1) s.destroy();
      else s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
    });
    await new Promise<void>((r) => server.listen(0, RECEIVER_IP, r));
    try {
      const { p, sleep } = pusher(toReceiver);
      const out = await push(p, `http://hooks.receiver.test:${(server.address() as AddressInfo).port}/`);
      expect(out).toMatchObject({ ok: true, attempts: 2, status: 200 });
      expect(sleep).toHaveBeenCalledTimes(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('times out a receiver that never answers, and retries it', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => server.listen(0, RECEIVER_IP, r));
    try {
      const { p } = pusher({ ...toReceiver, attemptTimeoutMs: 150 }, { DELIVERY_WEBHOOK_MAX_ATTEMPTS: '2' });
      const out = await push(p, `http://hooks.receiver.test:${(server.address() as AddressInfo).port}/`);
      expect(out).toMatchObject({ ok: false, attempts: 2, error: { code: 'WEBHOOK_TIMEOUT' } });
      expect(sockets).toHaveLength(2);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  describe('on shutdown', () => {
    it('ends a backoff wait at once and starts no further attempt', async () => {
      const rx = await receiver((_req, res) => res.writeHead(503).end());
      // The real wait (no injected sleep): a base delay of an hour, which stop() must cut short.
      const config = loadConfig({ NODE_ENV: 'test', DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'true', DELIVERY_WEBHOOK_MAX_ATTEMPTS: '5' });
      const p = new WebhookPusher(config, { ...toReceiver, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000, random: () => 0.5 });
      try {
        const pending = push(p, rx.url);
        while (rx.received.length < 1) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 20)); // the first answer is in; the pusher is waiting
        const t0 = Date.now();
        p.onModuleDestroy();
        const out = await pending;
        expect(Date.now() - t0).toBeLessThan(1_000);
        expect(out).toMatchObject({ ok: false, attempts: 1, error: { code: 'WEBHOOK_INTERRUPTED' } });
        expect(rx.received).toHaveLength(1);
      } finally {
        await rx.close();
      }
    });

    it('cuts the attempt in flight', async () => {
      const sockets: net.Socket[] = [];
      const server = net.createServer((s) => { sockets.push(s); });
      await new Promise<void>((r) => server.listen(0, RECEIVER_IP, r));
      try {
        const { p, sleep } = pusher({ ...toReceiver, attemptTimeoutMs: 60_000 });
        const pending = push(p, `http://hooks.receiver.test:${(server.address() as AddressInfo).port}/`);
        while (sockets.length < 1) await new Promise((r) => setTimeout(r, 5));
        const t0 = Date.now();
        p.stop();
        const out = await pending;
        expect(Date.now() - t0).toBeLessThan(1_000);
        expect(out).toMatchObject({ ok: false, attempts: 1, error: { code: 'WEBHOOK_INTERRUPTED' } });
        expect(sleep).not.toHaveBeenCalled();
        expect(sockets).toHaveLength(1);
      } finally {
        sockets.forEach((s) => s.destroy());
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it('sends nothing once stopped', async () => {
      const rx = await receiver((_req, res) => res.writeHead(200).end());
      try {
        const { p } = pusher(toReceiver);
        p.stop();
        expect(await push(p, rx.url)).toMatchObject({ ok: false, attempts: 0, error: { code: 'WEBHOOK_INTERRUPTED' } });
        expect(rx.received).toHaveLength(0);
      } finally {
        await rx.close();
      }
    });
  });

  it('refuses http when insecure webhooks are not allowed', async () => {
    const { p } = pusher(toReceiver, { DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'false' });
    const out = await push(p, 'http://hooks.receiver.test:9/');
    expect(out).toMatchObject({ ok: false, attempts: 0, error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
  });

  it('only pushes Buffers of bounded size, with a header-safe delivery id', async () => {
    const { p } = pusher({ maxBodyBytes: 10 });
    await expect(p.push({ url: 'https://hooks.example.com/', body: 'text' as unknown as Buffer, deliveryId: 'd', secret: SECRET })).rejects.toThrow(/Buffer/);
    await expect(p.push({ url: 'https://hooks.example.com/', body: Buffer.alloc(11), deliveryId: 'd', secret: SECRET })).rejects.toThrow(/manifest/);
    await expect(p.push({ url: 'https://hooks.example.com/', body: Buffer.alloc(1), deliveryId: 'a\r\nX: y', secret: SECRET })).rejects.toThrow(/deliveryId/);
  });

  it('parses Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('WebhookPusher wiring', () => {
  it('resolves through Nest DI with only the config provided', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [WebhookPusher, { provide: APP_CONFIG, useValue: loadConfig({ NODE_ENV: 'test' }) }],
    }).compile();
    const p = moduleRef.get(WebhookPusher);
    expect(() => p.validateUrl('http://hooks.example.com/')).toThrow(/https/);
    const out = await push(p, 'https://127.0.0.1/');
    expect(out).toMatchObject({ ok: false, attempts: 0, error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
  });
});
