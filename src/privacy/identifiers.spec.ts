import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { identify, isSha256Hex, normalizeEmail, normalizeMaid, normalizePhone, sha256Hex } from './identifiers';

const nodeSha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sha256Hex', () => {
  it('matches published vectors', () => {
    // FIPS 180-2 examples.
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // UID2 docs: "user@example.com" → base64 tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ=
    expect(sha256Hex('user@example.com')).toBe(Buffer.from('tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ=', 'base64').toString('hex'));
  });
});

describe('normalizeEmail (UID2 rules)', () => {
  it.each([
    [' MyEmail@example.com ', 'myemail@example.com'],
    ['MYEMAIL@example.com', 'myemail@example.com'],
    ['jane.doe+x@gmail.com', 'janedoe@gmail.com'],
    ['Jane.Doe+Promo.2@GoogleMail.com', 'janedoe@googlemail.com'],
    ['jane.doe+x@example.com', 'jane.doe+x@example.com'],
    ['user@example.com', 'user@example.com'],
  ])('%p → %p', (raw, normalized) => {
    expect(normalizeEmail(raw)).toBe(normalized);
  });

  it.each(['', 'plain', '@example.com', 'a@', 'a@@b.com', 'a b@example.com', 'a@localhost', `${'x'.repeat(250)}@example.com`, '+x@gmail.com'])(
    'refuses %p',
    (raw) => expect(normalizeEmail(raw)).toBeNull(),
  );

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '  '), (email, pad) => {
        const once = normalizeEmail(pad + email + pad);
        fc.pre(once !== null);
        expect(normalizeEmail(once!)).toBe(once);
      }),
    );
  });
});

describe('normalizePhone', () => {
  it('formats to E.164, reading national numbers in the default country', () => {
    expect(normalizePhone('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(normalizePhone('+33 (0)6 12 34 56 78', 'US')).toBe('+33612345678');
    expect(normalizePhone('(201) 555-0123', 'US')).toBe('+12015550123');
    expect(normalizePhone('+44 20 7946 0958', 'FR')).toBe('+442079460958');
    expect(normalizePhone('12', 'FR')).toBeNull();
    expect(normalizePhone('not a phone', 'FR')).toBeNull();
  });

  it('is idempotent on valid numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 600000000, max: 799999999 }), (n) => {
        const once = normalizePhone(`0${n}`, 'FR');
        fc.pre(once !== null);
        expect(normalizePhone(once!, 'DE')).toBe(once);
      }),
    );
  });
});

describe('normalizeMaid', () => {
  it('lower-cases UUIDs and refuses the rest', () => {
    expect(normalizeMaid(' AEBE52E7-03EE-455A-B3C4-E57283966239 ')).toBe('aebe52e7-03ee-455a-b3c4-e57283966239');
    expect(normalizeMaid('aebe52e703ee455ab3c4e57283966239')).toBeNull();
  });
  it('is idempotent', () => {
    fc.assert(fc.property(fc.uuid(), (u) => expect(normalizeMaid(normalizeMaid(u.toUpperCase())!)).toBe(u.toLowerCase())));
  });
});

describe('identify', () => {
  it('keys on email, then phone, then maid', () => {
    const maid = 'aebe52e7-03ee-455a-b3c4-e57283966239';
    expect(identify({ email: 'A@Example.com', phone: '0612345678', maid }, 'FR')).toEqual({
      ok: true,
      key: nodeSha('a@example.com'),
      ids: { emailSha256: nodeSha('a@example.com'), phoneSha256: nodeSha('+33612345678'), maid },
    });
    expect(identify({ phone: '0612345678', maid }, 'FR')).toMatchObject({ key: nodeSha('+33612345678') });
    expect(identify({ maid: maid.toUpperCase() }, 'FR')).toMatchObject({ key: nodeSha(maid), ids: { maid } });
    expect(identify({ emailSha256: nodeSha('x@y.com') }, 'FR')).toMatchObject({ key: nodeSha('x@y.com') });
  });

  it('refuses bad identifiers without echoing them', () => {
    const cases: [object, string][] = [
      [{}, 'MISSING_IDENTIFIER'],
      [{ email: 'secret-value' }, 'INVALID_EMAIL'],
      [{ emailSha256: nodeSha('x').toUpperCase() }, 'INVALID_HASH'],
      [{ phoneSha256: 'abc' }, 'INVALID_HASH'],
      [{ phone: '123-secret' }, 'INVALID_PHONE'],
      [{ maid: 'secret-maid' }, 'INVALID_MAID'],
      [{ email: 'a@example.com', emailSha256: nodeSha('b@example.com') }, 'IDENTIFIER_CONFLICT'],
      [{ email: 42 }, 'INVALID_EMAIL'],
    ];
    for (const [input, code] of cases) {
      const r = identify(input, 'FR');
      expect(r).toMatchObject({ ok: false, code });
      expect(JSON.stringify(r)).not.toMatch(/secret/);
    }
  });

  it('always yields a 64 lower-hex key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress().map((email) => ({ email })), fc.uuid().map((maid) => ({ maid }))), (input) => {
        const r = identify(input, 'FR');
        if (r.ok) expect(isSha256Hex(r.key)).toBe(true);
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => expect(isSha256Hex(sha256Hex(s))).toBe(true)));
  });
});
