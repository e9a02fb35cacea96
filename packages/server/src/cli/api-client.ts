// A small typed client of the User API (/api/v1) over Node's fetch, for the user commands. An answer
// that is not 2xx throws ApiError carrying the server's own message.

export interface WebhookOut {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: string;
  status_reason: string | null;
  status_changed_at: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
  secret?: string;
  activity_24h?: { succeeded: number; failed: number };
}

export interface AttemptOut {
  id: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  test: boolean;
  outcome: 'succeeded' | 'failed';
  response_status: number | null;
  error: string | null;
  error_message?: string | null;
  duration_ms: number;
  created_at: string;
  next_retry_at: string | null;
}

export interface AttemptDetailOut extends AttemptOut {
  request: { headers: Record<string, string>; body: string };
  response: {
    status: number | null;
    headers: Record<string, string> | null;
    body: string | null;
    truncated: boolean;
  };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (error?.message) return new ApiError(response.status, error.code ?? 'error', error.message);
  } catch {
    // Not our error shape (a proxy, or not this service): say what came back.
  }
  return new ApiError(
    response.status,
    'http_error',
    `The server answered ${response.status} ${response.statusText}.`,
  );
}

export function createApiClient(baseUrl: string, token?: string) {
  async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(`/api/v1${path}`, baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      const reason = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
        .cause;
      const cause = reason?.code ?? reason?.errors?.[0]?.code ?? reason?.message;
      throw new ApiError(
        0,
        'unreachable',
        `Cannot reach ${baseUrl}${cause ? ` (${cause})` : ''}; is the server running? Set --api-url or KLANG_API_URL.`,
      );
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  async function json<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    const response = await send(method, path, options);
    return (response.status === 204 ? null : await response.json()) as T;
  }

  const hook = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

  return {
    baseUrl,
    send,
    json,
    me: () => json<{ id: string; email: string; plan: string }>('GET', '/me'),
    /** Every webhook: the list's pages followed to the end. */
    async listWebhooks(): Promise<Page<WebhookOut>> {
      const data: WebhookOut[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: Page<WebhookOut> = await json<Page<WebhookOut>>('GET', `/webhooks?limit=100${query}`);
        data.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      return { data, next_cursor: null };
    },
    getWebhook: (id: string) => json<WebhookOut>('GET', hook(id)),
    createWebhook: (body: { url: string; description?: string; events?: string[] }) =>
      json<WebhookOut>('POST', '/webhooks', { body }),
    updateWebhook: (id: string, body: { url?: string; description?: string; events?: string[] }) =>
      json<WebhookOut>('PATCH', hook(id), { body }),
    deleteWebhook: (id: string) => json<null>('DELETE', hook(id)),
    pauseWebhook: (id: string) => json<WebhookOut>('POST', `${hook(id)}/pause`),
    resumeWebhook: (id: string, sendMissed: boolean) =>
      json<WebhookOut>('POST', `${hook(id)}/resume`, { body: { send_missed: sendMissed } }),
    testWebhook: (id: string, type?: string) =>
      json<{ event_id: string }>('POST', `${hook(id)}/test`, { body: type ? { type } : {} }),
    listAttempts: (id: string, query: Record<string, string | number | undefined>) =>
      json<Page<AttemptOut>>('GET', `${hook(id)}/attempts`, { query }),
    getAttempt: (id: string, attemptId: string) =>
      json<AttemptDetailOut>('GET', `${hook(id)}/attempts/${encodeURIComponent(attemptId)}`),
    resend: (id: string, deliveryId: string) =>
      json<{ delivery_id: string }>(
        'POST',
        `${hook(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`,
      ),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
