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
