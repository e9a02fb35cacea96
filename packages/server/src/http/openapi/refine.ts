// Finishes the document fastify-swagger renders: duplicate input/output schemas merged and unused
// ones dropped, optional bodies marked optional, and every operation's full set of answers.
import { addResponseHeaders, completeResponses, type Operation } from './responses.ts';

type Json = Record<string, unknown>;
interface Document extends Json {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> } & Json;
}

const REF = '#/components/schemas/';

/** Rewrites every $ref of `value` through `rename`. */
function mapRefs(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapRefs(item, rename));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' && inner.startsWith(REF)
        ? [key, REF + rename(inner.slice(REF.length))]
        : [key, mapRefs(inner, rename)],
    ),
  );
}

/** `XInput` names the same schema as `X` whenever they are equal once their own refs are too. */
function mergeInputDuplicates(document: Document): Document {
  const schemas = document.components?.schemas ?? {};
  const base = (name: string) =>
    name.endsWith('Input') && name.slice(0, -5) in schemas ? name.slice(0, -5) : name;
  const same = new Set(
    Object.keys(schemas).filter(
      (name) =>
        base(name) !== name &&
        JSON.stringify(mapRefs(schemas[name], base)) === JSON.stringify(mapRefs(schemas[base(name)], base)),
    ),
  );
  return mapRefs(document, (name) => (same.has(name) ? base(name) : name)) as Document;
}

/** Keeps only the schemas reachable from the paths. */
function dropUnused(document: Document): void {
  const schemas = document.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF)) {
          const name = inner.slice(REF.length);
          if (!used.has(name)) {
            used.add(name);
            visit(schemas[name]);
          }
        } else visit(inner);
      }
    }
  };
  visit(document.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/** Routes whose body may be left out (their schema is all optional fields). */
const OPTIONAL_BODIES = new Set(['post /api/v1/webhooks/{id}/resume', 'post /api/v1/webhooks/{id}/test']);

export function refineOpenApi<T>(rendered: T): T {
  const document = mergeInputDuplicates(rendered as Document);
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.requestBody && OPTIONAL_BODIES.has(`${method} ${path}`)) {
        operation.requestBody.required = false;
      }
      completeResponses(method, path, operation);
      addResponseHeaders(method, path, operation);
    }
  }
  dropUnused(document);
  return document as T;
}
