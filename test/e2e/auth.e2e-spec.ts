import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { aPublisher, anAdmin, anAdvertiser, uniqueEmail } from '../helpers/builders';

const PASSWORD = 'correct horse battery';

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
function signHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
const DEV_SECRET = 'dev-only-access-secret-change-me-0123456789';
const now = () => Math.floor(Date.now() / 1000);

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('register', () => {
    it('creates a publisher with its organization and returns a session', async () => {
      const email = uniqueEmail('pub');
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: `  ${email.toUpperCase()} `, password: PASSWORD, role: 'publisher', organizationName: 'Daily News' })
        .expect(201);
      expect(res.body.user).toEqual({
        id: expect.any(String),
        email,
        role: 'publisher',
        organizationId: expect.any(String),
        status: 'active',
      });
      expect(res.body.accessToken.split('.')).toHaveLength(3);
      expect(res.body.refreshToken).toMatch(/^rt_/);
      expect(res.body.expiresIn).toBeLessThanOrEqual(900);
      const stored = await t.connection.collection('users').findOne({ email });
      expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,p=\d+,t=\d+\$/);
      const [, m, tc] = /m=(\d+),p=\d+,t=(\d+)/.exec(stored!.passwordHash)!;
      expect(Number(m)).toBeGreaterThanOrEqual(19 * 1024);
      expect(Number(tc)).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(stored)).not.toContain(PASSWORD);
      const org = await t.connection.collection('organizations').findOne({ _id: stored!.orgId });
      expect(org).toMatchObject({ name: 'Daily News', kind: 'publisher', status: 'active' });
    });

    it('duplicate email → 409 EMAIL_TAKEN, case-insensitively', async () => {
      const p = await aPublisher(t);
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: p.email.toUpperCase(), password: PASSWORD, role: 'advertiser', organizationName: 'Other' })
        .expect(409);
      expect(res.body.code).toBe('EMAIL_TAKEN');
    });

    it('role admin → 400', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: uniqueEmail('x'), password: PASSWORD, role: 'admin', organizationName: 'Evil' })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));
    });

    it('unknown fields → 400 naming the field', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: uniqueEmail('x'), password: PASSWORD, role: 'publisher', organizationName: 'X Org', isAdmin: true })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.details)).toContain('isAdmin');
    });

    it('weak password and bad email → 400 without echoing the values', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: 'not-an-email', password: 'short', role: 'publisher', organizationName: 'X Org' })
        .expect(400);
      expect(res.body.details.map((d: any) => d.field).sort()).toEqual(['email', 'password']);
      expect(JSON.stringify(res.body)).not.toContain('not-an-email');
    });
  });

  describe('login', () => {
    it('logs in with the right password and reads /me', async () => {
      const p = await anAdvertiser(t);
      const res = await t.http().post('/v1/auth/login').send({ email: p.email, password: PASSWORD }).expect(200);
      const me = await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
      expect(me.body).toMatchObject({ id: p.id, email: p.email, role: 'advertiser', organizationId: p.organizationId });
    });

    it('answers an unknown email exactly like a wrong password', async () => {
      const p = await aPublisher(t);
      const wrong = await t.http().post('/v1/auth/login').send({ email: p.email, password: 'wrong password!!' }).expect(401);
      const unknown = await t.http().post('/v1/auth/login').send({ email: uniqueEmail('ghost'), password: 'wrong password!!' }).expect(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: expect.any(String) });
    });

    it('/me without a token → 401', async () => {
      const res = await t.http().get('/v1/auth/me').expect(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    });
  });

  describe('forged access tokens → 401', () => {
    let sub: string;
    let org: string;
    const base = () => ({ sub, org, role: 'publisher', iss: 'audex', aud: 'audex-api', iat: now(), exp: now() + 600 });
    beforeAll(async () => {
      const p = await aPublisher(t);
      sub = p.id;
      org = p.organizationId;
    });

    it('a well-signed token is accepted (control)', async () => {
      await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${signHs256(base(), DEV_SECRET)}`).expect(200);
    });

    it.each([
      ['alg none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(base())}.`],
      ['wrong secret', () => signHs256(base(), 'another-secret-another-secret-0000000')],
      ['expired', () => signHs256({ ...base(), iat: now() - 3600, exp: now() - 60 }, DEV_SECRET)],
      ['wrong issuer', () => signHs256({ ...base(), iss: 'someone-else' }, DEV_SECRET)],
      ['wrong audience', () => signHs256({ ...base(), aud: 'other-api' }, DEV_SECRET)],
      ['HS512 instead of pinned HS256', () => {
        const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(base())}`;
        return `${head}.${createHmac('sha512', DEV_SECRET).update(head).digest('base64url')}`;
      }],
      ['garbage', () => 'not.a.token'],
    ])('%s', async (_name, make) => {
      const res = await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${make()}`).expect(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    });
  });

  describe('refresh and logout', () => {
    it('rotates on every use; the old token is then dead', async () => {
      const p = await aPublisher(t);
      const r1 = await t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }).expect(200);
      expect(r1.body.refreshToken).not.toBe(p.refreshToken);
      await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${r1.body.accessToken}`).expect(200);
      const r2 = await t.http().post('/v1/auth/refresh').send({ refreshToken: r1.body.refreshToken }).expect(200);
      expect(r2.body.refreshToken).not.toBe(r1.body.refreshToken);
    });

    it('reuse of a used token → 401, and the newest token of that family is dead too; audited', async () => {
      const p = await aPublisher(t);
      const r1 = await t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }).expect(200);
      const reuse = await t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
      await t.http().post('/v1/auth/refresh').send({ refreshToken: r1.body.refreshToken }).expect(401);
      const admin = await anAdmin(t);
      const audit = await t.http().get('/v1/admin/audit').query({ targetId: p.id }).set(admin.auth).expect(200);
      expect(audit.body.items.map((e: any) => e.action)).toContain('auth.refresh_reuse');
    });

    it('two concurrent refreshes with one token → exactly one succeeds', async () => {
      const p = await aPublisher(t);
      const results = await Promise.all([
        t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }),
        t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('an unknown refresh token → 401', async () => {
      await t.http().post('/v1/auth/refresh').send({ refreshToken: 'rt_nope' }).expect(401);
    });

    it('logout ends the session family: its refresh token no longer works', async () => {
      const p = await aPublisher(t);
      await t.http().post('/v1/auth/logout').set(p.auth).send({ refreshToken: p.refreshToken }).expect(204);
      await t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }).expect(401);
    });

    it("logout cannot end someone else's session", async () => {
      const a = await aPublisher(t);
      const b = await aPublisher(t);
      await t.http().post('/v1/auth/logout').set(a.auth).send({ refreshToken: b.refreshToken }).expect(204);
      await t.http().post('/v1/auth/refresh').send({ refreshToken: b.refreshToken }).expect(200);
    });
  });

  describe('admin bootstrap and suspension', () => {
    it('the admin exists from env and its creation is audited once', async () => {
      const admin = await anAdmin(t);
      const me = await t.http().get('/v1/auth/me').set(admin.auth).expect(200);
      expect(me.body.role).toBe('admin');
      const audit = await t.http().get('/v1/admin/audit').query({ action: 'admin.bootstrap' }).set(admin.auth).expect(200);
      expect(audit.body.items).toHaveLength(1);
    });

    it("a suspended user's access token, refresh token and API keys stop working at once; reinstate restores login", async () => {
      const admin = await anAdmin(t);
      const p = await aPublisher(t);
      const key = await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'crm', scopes: ['ingest'] }).expect(201);
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);

      const s = await t.http().post(`/v1/admin/users/${p.id}/suspend`).set(admin.auth).send({ reason: 'fraud check' }).expect(200);
      expect(s.body.status).toBe('suspended');

      await t.http().get('/v1/auth/me').set(p.auth).expect(401);
      await t.http().post('/v1/auth/refresh').send({ refreshToken: p.refreshToken }).expect(401);
      await t.http().post('/v1/auth/login').send({ email: p.email, password: PASSWORD }).expect(401);
      expect(await keyWorks(key.body.key)).toBe(false);

      await t.http().post(`/v1/admin/users/${p.id}/suspend`).set(admin.auth).send({}).expect(409);
      await t.http().post(`/v1/admin/users/${p.id}/reinstate`).set(admin.auth).expect(200);
      await t.http().post(`/v1/admin/users/${p.id}/reinstate`).set(admin.auth).expect(409);
      await t.http().post('/v1/auth/login').send({ email: p.email, password: PASSWORD }).expect(200);

      const audit = await t.http().get('/v1/admin/audit').query({ targetId: p.id }).set(admin.auth).expect(200);
      const actions = audit.body.items.map((e: any) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['user.suspend', 'user.reinstate']));
      const suspend = audit.body.items.find((e: any) => e.action === 'user.suspend');
      expect(suspend).toMatchObject({ actorId: admin.id, actorRole: 'admin', reason: 'fraud check' });
    });

    it('non-admins get 403 on admin routes, unknown users 404', async () => {
      const p = await aPublisher(t);
      const a = await anAdvertiser(t);
      await t.http().post(`/v1/admin/users/${a.id}/suspend`).set(p.auth).send({}).expect(403);
      await t.http().get('/v1/admin/audit').set(a.auth).expect(403);
      const admin = await anAdmin(t);
      await t.http().post('/v1/admin/users/5f0000000000000000000000/suspend').set(admin.auth).send({}).expect(404);
      await t.http().post('/v1/admin/users/not-an-id/suspend').set(admin.auth).send({}).expect(400);
    });
  });

  describe('API keys', () => {
    it('create shows the key once; list shows prefix only; revoke stops it', async () => {
      const p = await aPublisher(t);
      const created = await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'crm sync', scopes: ['ingest', 'consent'] }).expect(201);
      expect(created.body.key).toMatch(/^adx_[0-9a-f]{12}_/);
      expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
      const stored = await t.connection.collection('apiKeys').findOne({});
      expect(JSON.stringify(stored)).not.toContain(created.body.key);

      const list = await t.http().get('/v1/api-keys').set(p.auth).expect(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ id: created.body.id, name: 'crm sync', scopes: ['ingest', 'consent'], revokedAt: null });
      expect(list.body.items[0].key).toBeUndefined();

      expect(await keyWorks(created.body.key)).toBe(true);
      await t.http().delete(`/v1/api-keys/${created.body.id}`).set(p.auth).expect(204);
      expect(await keyWorks(created.body.key)).toBe(false);
    });

    it("another publisher cannot see or revoke a key; advertisers get 403; bad scopes 400", async () => {
      const p = await aPublisher(t);
      const other = await aPublisher(t);
      const created = await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'k', scopes: ['ingest'] }).expect(201);
      await t.http().delete(`/v1/api-keys/${created.body.id}`).set(other.auth).expect(404);
      expect((await t.http().get('/v1/api-keys').set(other.auth).expect(200)).body.items).toEqual([]);
      const adv = await anAdvertiser(t);
      await t.http().post('/v1/api-keys').set(adv.auth).send({ name: 'k', scopes: ['ingest'] }).expect(403);
      await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'k', scopes: ['admin'] }).expect(400);
      expect(await keyWorks(created.body.key)).toBe(true);
    });

    it('an API key is refused on routes that do not accept keys', async () => {
      const p = await aPublisher(t);
      const created = await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'k', scopes: ['ingest'] }).expect(201);
      const res = await t.http().get('/v1/auth/me').set('X-Api-Key', created.body.key).expect(401);
      expect(res.body.code).toBe('API_KEY_NOT_ACCEPTED');
      const current = await t.http().get('/v1/api-keys/current').set('X-Api-Key', created.body.key).expect(200);
      expect(current.body).toMatchObject({ id: created.body.id, scopes: ['ingest'], organizationId: p.organizationId });
      await t.http().get('/v1/api-keys/current').set(p.auth).expect(401);
    });
  });

  /** Whether a key authenticates: GET /v1/api-keys/current answers 200 for a live key, 401 otherwise. */
  async function keyWorks(key: string): Promise<boolean> {
    const res = await t.http().get('/v1/api-keys/current').set('X-Api-Key', key);
    if (![200, 401].includes(res.status)) throw new Error(`unexpected ${res.status}`);
    return res.status === 200;
  }
});

// Each instance keeps a user's auth state for AUTH_USER_CACHE_TTL_MS. A status written straight to the database
// stands for a change made by another instance, which this one is not told about.
describe('auth: the per-instance user state cache', () => {
  const setStatusBehindTheApi = (t: TestApp, userId: string, status: 'active' | 'suspended') =>
    t.connection.collection('users').updateOne({ _id: new Types.ObjectId(userId) }, { $set: { status } });
  const keyWorks = async (t: TestApp, key: string) => {
    const res = await t.http().get('/v1/api-keys/current').set('X-Api-Key', key);
    if (![200, 401].includes(res.status)) throw new Error(`unexpected ${res.status}`);
    return res.status === 200;
  };

  describe('with a long TTL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { AUTH_USER_CACHE_TTL_MS: '60000' } });
    });
    afterAll(() => t.close());

    it('a suspension through this instance applies to the next request although the state was cached; reinstatement restores the same token and key at once', async () => {
      const admin = await anAdmin(t);
      const p = await aPublisher(t);
      const key = (await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'crm', scopes: ['ingest'] }).expect(201)).body.key;
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      expect(await keyWorks(t, key)).toBe(true);

      await t.http().post(`/v1/admin/users/${p.id}/suspend`).set(admin.auth).send({ reason: 'fraud check' }).expect(200);
      await t.http().get('/v1/auth/me').set(p.auth).expect(401);
      expect(await keyWorks(t, key)).toBe(false);

      await t.http().post(`/v1/admin/users/${p.id}/reinstate`).set(admin.auth).expect(200);
      expect((await t.http().get('/v1/auth/me').set(p.auth).expect(200)).body.status).toBe('active');
      expect(await keyWorks(t, key)).toBe(true);
    });

    it("another instance's suspension shows here within the TTL, and at once when an admin acts on the user here", async () => {
      const admin = await anAdmin(t);
      const p = await aPublisher(t);
      const key = (await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'crm', scopes: ['ingest'] }).expect(201)).body.key;
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      expect(await keyWorks(t, key)).toBe(true);

      await setStatusBehindTheApi(t, p.id, 'suspended');
      // The documented bound: this instance still holds "active" (for at most AUTH_USER_CACHE_TTL_MS).
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      expect(await keyWorks(t, key)).toBe(true);

      // Already suspended, so 409; the attempt still drops this instance's stale state.
      await t.http().post(`/v1/admin/users/${p.id}/suspend`).set(admin.auth).send({}).expect(409);
      await t.http().get('/v1/auth/me').set(p.auth).expect(401);
      expect(await keyWorks(t, key)).toBe(false);
    });
  });

  describe('with a short TTL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { AUTH_USER_CACHE_TTL_MS: '300' } });
    });
    afterAll(() => t.close());

    it("another instance's suspension and reinstatement apply here once the TTL has passed", async () => {
      const p = await aPublisher(t);
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      await setStatusBehindTheApi(t, p.id, 'suspended');
      await new Promise((r) => setTimeout(r, 400));
      await t.http().get('/v1/auth/me').set(p.auth).expect(401);
      await setStatusBehindTheApi(t, p.id, 'active');
      await new Promise((r) => setTimeout(r, 400));
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
    });
  });

  describe('with TTL 0 (cache off)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { AUTH_USER_CACHE_TTL_MS: '0' } });
    });
    afterAll(() => t.close());

    it('every request reads the user: a change made anywhere applies to the next request', async () => {
      const p = await aPublisher(t);
      const key = (await t.http().post('/v1/api-keys').set(p.auth).send({ name: 'crm', scopes: ['ingest'] }).expect(201)).body.key;
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      expect(await keyWorks(t, key)).toBe(true);
      await setStatusBehindTheApi(t, p.id, 'suspended');
      await t.http().get('/v1/auth/me').set(p.auth).expect(401);
      expect(await keyWorks(t, key)).toBe(false);
      await setStatusBehindTheApi(t, p.id, 'active');
      await t.http().get('/v1/auth/me').set(p.auth).expect(200);
      expect(await keyWorks(t, key)).toBe(true);
    });
  });
});
