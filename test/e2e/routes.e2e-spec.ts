import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { AUTH_REQUIREMENT, IS_PUBLIC } from '../../src/common/auth.decorators';
import { createTestApp, type TestApp } from '../helpers/app';

/** "GET /v1/things/{id}" for every route the Express router serves (docs are middleware, not routes). */
function routerRoutes(t: TestApp): Set<string> {
  const router = (t.app.getHttpAdapter().getInstance() as any).router;
  const out = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      if (method === '_all') continue;
      out.add(`${method.toUpperCase()} ${toOpenApiPath(layer.route.path)}`);
    }
  }
  return out;
}

const toOpenApiPath = (p: string) => `/${p}`.replace(/\/+/g, '/').replace(/\/$/, '').replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface DeclaredRoute {
  route: string;
  handler: string;
  isPublic: boolean;
  authenticated: boolean;
}

/** Every controller method with a route, and what it declares about who may call it. */
function declaredRoutes(t: TestApp): DeclaredRoute[] {
  const scanner = new MetadataScanner();
  const reflector = t.app.get(Reflector);
  const out: DeclaredRoute[] = [];
  const controllers = [...t.app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of controllers) {
    if (!wrapper.instance) continue;
    const proto = Object.getPrototypeOf(wrapper.instance);
    const base = Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) ?? '';
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const method = Reflect.getMetadata(METHOD_METADATA, handler);
      if (method === undefined) continue;
      const targets = [handler, wrapper.metatype as any];
      out.push({
        route: `${RequestMethod[method]} ${toOpenApiPath(`${base}/${Reflect.getMetadata(PATH_METADATA, handler)}`)}`,
        handler: `${wrapper.name}.${name}`,
        isPublic: reflector.getAllAndOverride(IS_PUBLIC, targets) === true,
        authenticated: reflector.getAllAndOverride(AUTH_REQUIREMENT, targets) !== undefined,
      });
    }
  }
  return out;
}

describe('route coverage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('every controller route declares @Authenticated(...) or @Public(), never both', () => {
    const routes = declaredRoutes(t);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.isPublic === r.authenticated).map((r) => r.handler)).toEqual([]);
  });

  it('the router routes and the OpenAPI paths are the same set', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = routerRoutes(t);
    expect(served.size).toBeGreaterThan(10);
    expect(new Set(declaredRoutes(t).map((r) => r.route))).toEqual(served);
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  it('every documented operation has a 2xx response with a schema (or is empty), and security unless public', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const publicRoutes = new Set(declaredRoutes(t).filter((r) => r.isPublic).map((r) => r.route));
    const problems: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const route = `${method.toUpperCase()} ${path}`;
        const ok = Object.entries<any>(op.responses ?? {}).filter(([code]) => code.startsWith('2'));
        if (ok.length === 0) problems.push(`${route}: no 2xx response`);
        for (const [code, r] of ok) {
          const hasSchema = r.content && Object.values<any>(r.content).some((c) => c.schema);
          if (!hasSchema && code !== '204') problems.push(`${route}: ${code} without a schema`);
        }
        const secured = (op.security ?? []).length > 0;
        if (secured === publicRoutes.has(route)) problems.push(`${route}: security does not match @Public/@Authenticated`);
      }
    }
    expect(problems).toEqual([]);
  });
});
