import { randomBytes } from 'node:crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from './app';

export interface Actor {
  id: string;
  email: string;
  organizationId: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let n = 0;
export const uniqueEmail = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}-${randomBytes(3).toString('hex')}@example.test`;

export async function registerActor(t: TestApp, role: 'publisher' | 'advertiser', overrides: { email?: string; organizationName?: string } = {}): Promise<Actor> {
  const email = overrides.email ?? uniqueEmail(role);
  const res = await t
    .http()
    .post('/v1/auth/register')
    .send({ email, password: 'correct horse battery', role, organizationName: overrides.organizationName ?? `${role} org ${n}` })
    .expect(201);
  return toActor(res.body);
}

export const aPublisher = (t: TestApp, o = {}) => registerActor(t, 'publisher', o);
export const anAdvertiser = (t: TestApp, o = {}) => registerActor(t, 'advertiser', o);

export async function anAdmin(t: TestApp): Promise<Actor> {
  const res = await t.http().post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
  return toActor(res.body);
}

function toActor(body: any): Actor {
  return {
    id: body.user.id,
    email: body.user.email,
    organizationId: body.user.organizationId,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    auth: { Authorization: `Bearer ${body.accessToken}` },
  };
}

export async function anAudience(
  t: TestApp,
  publisher: Actor,
  overrides: { name?: string; description?: string; source?: string; dataType?: string } = {},
): Promise<{ id: string; name: string; source: string; dataType: string; subjectCount: number }> {
  const res = await t
    .http()
    .post('/v1/audiences')
    .set(publisher.auth)
    .send({ name: `audience ${n++}`, source: 'web', dataType: 'first_party', ...overrides })
    .expect(201);
  return res.body;
}

/** Credentials for a request: an actor's bearer token, or an API key header. */
export type Caller = Actor | { 'X-Api-Key': string };
export const authHeaders = (c: Caller): Record<string, string> => ('auth' in c ? c.auth : c);

export async function anApiKey(t: TestApp, publisher: Actor, scopes: ('ingest' | 'consent')[]): Promise<{ 'X-Api-Key': string }> {
  const res = await t.http().post('/v1/api-keys').set(publisher.auth).send({ name: `key ${n++}`, scopes }).expect(201);
  return { 'X-Api-Key': res.body.key };
}

/** POSTs NDJSON lines (objects are JSON-encoded, strings sent as they are) to an audience's records route. */
export function uploadNdjson(t: TestApp, caller: Caller, audienceId: string, lines: (object | string)[]) {
  const body = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  return t.http().post(`/v1/audiences/${audienceId}/records`).set(authHeaders(caller)).set('Content-Type', 'application/x-ndjson').send(body);
}
