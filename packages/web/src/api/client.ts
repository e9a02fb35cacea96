// The typed client of the user API (/api/v1), generated from docs/openapi.json: the session cookie
// travels by itself, the CSRF token is added to unsafe requests, and failures become ApiError.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type Schemas = components['schemas'];
export type Webhook = Schemas['Webhook'];
export type WebhookListItem = Schemas['WebhookListItem'];
export type WebhookCreated = Schemas['WebhookCreated'];
export type AttemptSummary = Schemas['AttemptSummary'];
export type AttemptDetail = Schemas['AttemptDetail'];
export type WebhookStats = Schemas['WebhookStats'];
export type EventType = Schemas['EventTypeList']['data'][number];
export type Me = Schemas['Me'];

/** The cookie the server sets at sign-in beside the session cookie, readable by this page only. */
const CSRF_COOKIE = 'klang_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfToken(cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export interface ErrorDetail {
  field: string;
  message: string;
}

/** A non-2xx answer of the API, in the contract's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message of the detail naming `field`, if any. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message;
  }
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

api.use({
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) {
      const token = csrfToken();
      if (token) request.headers.set('x-csrf-token', token);
    }
    return request;
  },
});

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves to the answer's data, or throws ApiError for any non-2xx answer. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, 'network_error', 'Klang could not be reached. Check your connection and retry.');
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: ErrorDetail[] } };
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `The request failed (HTTP ${response.status}).`,
    body.error?.details ?? [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
