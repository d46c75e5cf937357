import { createTestApp, type TestApp } from '../helpers/app';

describe('health and docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /health answers 200 with helmet headers and a request id', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed request id given by the caller', async () => {
    const res = await t.http().get('/health').set('X-Request-Id', 'abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('GET /health/ready checks the database', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('GET /docs serves Swagger UI and /docs-json the OpenAPI 3 document', async () => {
    const ui = await t.http().get('/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.components.securitySchemes.bearer.scheme).toBe('bearer');
    expect(doc.body.components.securitySchemes.apiKey.name).toBe('X-Api-Key');
  });

  it('an unknown route is a 404 in the common error shape', async () => {
    const res = await t.http().get('/nope').expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
  });

  it('malformed JSON is a 400 MALFORMED_JSON without a stack trace', async () => {
    const res = await t.http().post('/v1/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
  });

  it('a JSON body over the limit is a 413', async () => {
    const big = JSON.stringify({ email: 'x'.repeat(2 * 1024 * 1024), password: 'x' });
    const res = await t.http().post('/v1/auth/login').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
