import { createHmac } from 'node:crypto';
import { AppError } from '../common/app-error';
import { signDownloadToken, verifyDownloadToken } from './download-token';

const SECRET = 'test-download-secret-0123456789abcdef';
const OTHER = 'another-download-secret-0123456789abcdef';
const now = new Date('2026-01-01T12:00:00Z');
const payload = { deliveryId: '65a0c0ffee0000000000d001', buyerOrgId: '65a0c0ffee0000000000b001', expiresAt: new Date('2026-01-01T13:00:00Z') };

function codeOf(fn: () => unknown): { status: number; code: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { status: (e as AppError).getStatus(), code: (e as AppError).code };
  }
  throw new Error('expected a throw');
}

describe('download tokens', () => {
  it('round-trips a genuine token', () => {
    const token = signDownloadToken(payload, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyDownloadToken(token, SECRET, now)).toEqual(payload);
  });

  it('rejects a tampered payload', () => {
    const [, sig] = signDownloadToken(payload, SECRET).split('.');
    const forged = Buffer.from(JSON.stringify({ d: payload.deliveryId, b: 'someone-else', exp: 2e9 })).toString('base64url');
    expect(codeOf(() => verifyDownloadToken(`${forged}.${sig}`, SECRET, now))).toEqual({ status: 401, code: 'DOWNLOAD_TOKEN_INVALID' });
  });

  it('rejects a tampered signature, including a flipped last character', () => {
    const token = signDownloadToken(payload, SECRET);
    const [body, sig] = token.split('.');
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    expect(codeOf(() => verifyDownloadToken(`${body}.${flipped}`, SECRET, now)).code).toBe('DOWNLOAD_TOKEN_INVALID');
    expect(codeOf(() => verifyDownloadToken(`${body}.${sig.slice(0, -2)}`, SECRET, now)).code).toBe('DOWNLOAD_TOKEN_INVALID');
  });

  it('rejects a token signed with another secret', () => {
    const token = signDownloadToken(payload, OTHER);
    expect(codeOf(() => verifyDownloadToken(token, SECRET, now))).toEqual({ status: 401, code: 'DOWNLOAD_TOKEN_INVALID' });
  });

  it('rejects an expired token, at and after the expiry instant', () => {
    const token = signDownloadToken(payload, SECRET);
    expect(codeOf(() => verifyDownloadToken(token, SECRET, payload.expiresAt))).toEqual({ status: 401, code: 'DOWNLOAD_TOKEN_EXPIRED' });
    expect(codeOf(() => verifyDownloadToken(token, SECRET, new Date('2027-01-01'))).code).toBe('DOWNLOAD_TOKEN_EXPIRED');
    expect(verifyDownloadToken(token, SECRET, new Date(payload.expiresAt.getTime() - 1000))).toEqual(payload);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abcdef'],
    ['three parts', 'a.b.c'],
    ['bad characters', 'ab+/.cd=='],
    ['empty signature', 'abc.'],
    ['very long', 'a'.repeat(5000) + '.b'],
  ])('rejects a malformed token (%s)', (_name, token) => {
    expect(codeOf(() => verifyDownloadToken(token, SECRET, now))).toEqual({ status: 401, code: 'DOWNLOAD_TOKEN_INVALID' });
  });

  it('rejects a correctly signed body that is not a valid payload', () => {
    const body = Buffer.from(JSON.stringify({ d: 1, b: 'x', exp: 'soon' })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update('audex-download-v1.').update(body).digest('base64url');
    expect(codeOf(() => verifyDownloadToken(`${body}.${sig}`, SECRET, now)).code).toBe('DOWNLOAD_TOKEN_INVALID');
  });

  it('refuses to sign or verify with a short secret', () => {
    expect(() => signDownloadToken(payload, 'short')).toThrow(/at least 32/);
    expect(() => verifyDownloadToken('a.b', 'short', now)).toThrow(/at least 32/);
  });
});
