// The route table as registered (every method and URL pattern, including routes added later by any
// plugin) and the not-found handler built on it: a known path with a wrong method is 405 with Allow,
// anything else 404 route_not_found, both in the contract's error shape.
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.ts';

export interface RouteEntry {
  method: string;
  /** The pattern as registered, such as /api/v1/webhooks/:id. */
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far, one entry per method. */
    routeTable(): RouteEntry[];
  }
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A pattern's matcher: `:name` (with an optional regexp) is one segment, `*` is the rest of the path. */
export function patternMatcher(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      const wildcard = segment.indexOf('*');
      const fixed = wildcard === -1 ? segment : segment.slice(0, wildcard);
      const parts = fixed.split(/:\w+(?:\([^)]*\))?/).map(escapeRegExp);
      return parts.join('[^/]+') + (wildcard === -1 ? '' : '.*');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

export function registerRouteTable(app: FastifyInstance): void {
  const entries: RouteEntry[] = [];
  const matchers = new Map<string, { matcher: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = matchers.get(route.url) ?? { matcher: patternMatcher(route.url), methods: new Set() };
    for (const method of methods) {
      entries.push({ method, url: route.url });
      known.methods.add(method);
    }
    matchers.set(route.url, known);
  });
  app.decorate('routeTable', () => [...entries]);

  /** The methods of every pattern that matches `path`, sorted. */
  const allowedMethods = (path: string): string[] => {
    const allowed = new Set<string>();
    for (const { matcher, methods } of matchers.values()) {
      if (matcher.test(path)) for (const method of methods) allowed.add(method);
    }
    return [...allowed].sort();
  };

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const allow = allowed.join(', ');
      return reply
        .status(405)
        .header('allow', allow)
        .send(errorBody('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allow}.`));
    }
    return reply.status(404).send(errorBody('route_not_found', `No route ${request.method} ${path}.`));
  });
}
