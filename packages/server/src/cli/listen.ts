// `klang-webhooks listen --forward-to <url>`: a temporary development endpoint whose deliveries the
// server streams here (SSE); each is forwarded to the local URL as production would send it, one line
// is printed, and the local answer is reported back into the attempt log. Ctrl-C removes the endpoint.
import { type Command, InvalidArgumentError } from 'commander';
import type { ApiClient } from './api-client.ts';
import { authedClient, type ClientOptions, clientOptions } from './context.ts';
import { fields, printJson, write } from './output.ts';

interface ListenOptions extends ClientOptions {
  forwardTo: string;
  events?: string[];
}

interface StreamedEvent {
  delivery_id: string;
  event_id: string;
  type: string;
  test: boolean;
  headers: Record<string, string>;
  body: string;
}

const LOCAL_TIMEOUT_MS = 15_000;
const BODY_REPORTED = 32 * 1024;

const localUrl = (raw: string): string => {
  if (!/^https?:\/\/\S+$/.test(raw)) throw new InvalidArgumentError('expected an http(s) URL');
  return raw;
};

/** Forwards one delivery to the local URL; returns the result to report. */
async function forward(url: string, event: StreamedEvent) {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      request_headers: event.headers,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body_base64: bytes.subarray(0, BODY_REPORTED).toString('base64'),
      truncated: bytes.length > BODY_REPORTED,
      duration_ms: elapsed(),
    };
  } catch (error) {
    const name = (error as Error).name;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message;
    const kind =
      name === 'TimeoutError' ? 'timeout' : code === 'ECONNREFUSED' ? 'connection_refused' : 'network_error';
    const message =
      kind === 'timeout'
        ? `no answer within ${LOCAL_TIMEOUT_MS / 1000} s`
        : (code ?? (error as Error).message);
    return { request_headers: event.headers, error: kind, message, duration_ms: elapsed() };
  }
}

async function handle(client: ApiClient, sessionId: string, options: ListenOptions, event: StreamedEvent) {
  const result = await forward(options.forwardTo, event);
  const path = `/listen-sessions/${sessionId}/deliveries/${event.delivery_id}/result`;
  await client.json('POST', path, { body: result }).catch((error: Error) => {
    process.stderr.write(`klang-webhooks: could not report ${event.delivery_id}: ${error.message}\n`);
  });
  const answer = 'status' in result ? String(result.status) : `error: ${result.message}`;
  if (options.json)
    printJson({
      ...event,
      headers: undefined,
      body: undefined,
      local: answer,
      duration_ms: result.duration_ms,
    });
  else
    write(
      `${event.type}${event.test ? ' TEST' : ''}  ${event.event_id}  ${answer}  ${result.duration_ms} ms`,
    );
}

/** Reads Server-Sent Events from a response body, calling `onEvent` with each event name and data. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (name: string, data: string) => Promise<void>,
) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replaceAll('\r\n', '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n');
      const name =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) await onEvent(name, data);
      end = buffer.indexOf('\n\n');
    }
  }
}

async function listen(options: ListenOptions): Promise<void> {
  const client = authedClient(options);
  const session = await client.json<{ id: string; secret: string; webhook: { events: string[] } }>(
    'POST',
    '/listen-sessions',
    {
      body: { ...(options.events ? { events: options.events } : {}), forward_to: options.forwardTo },
    },
  );
  const stop = new AbortController();
  let removing: Promise<void> | undefined;
  const remove = () => {
    removing ??= client.send('DELETE', `/listen-sessions/${session.id}`).then(
      () => undefined,
      () => undefined,
    );
    return removing;
  };
  const shutdown = () => {
    stop.abort();
    void remove().then(() => {
      if (!options.json) write(`Removed ${session.id}.`);
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  if (options.json)
    printJson({
      id: session.id,
      secret: session.secret,
      events: session.webhook.events,
      forward_to: options.forwardTo,
    });
  else
    write(
      fields([
        ['Endpoint', session.id],
        ['Signing secret', session.secret],
        ['Events', session.webhook.events.join(', ')],
        ['Forwarding to', options.forwardTo],
      ]) + '\nReady: forwarding events; Ctrl-C stops and removes the endpoint.',
    );
  try {
    const response = await client.send('GET', `/listen-sessions/${session.id}/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: stop.signal,
    });
    await readEvents(response.body!, async (name, data) => {
      if (name === 'delivery') await handle(client, session.id, options, JSON.parse(data) as StreamedEvent);
      if (name === 'closed')
        throw new Error(`the server ended the stream: ${(JSON.parse(data) as { message: string }).message}`);
    });
    if (!stop.signal.aborted) throw new Error('the server closed the stream');
  } catch (error) {
    if (stop.signal.aborted) return;
    await remove();
    throw error;
  }
}

export function registerListen(program: Command): void {
  clientOptions(
    program
      .command('listen')
      .description('Forward the events of a temporary development endpoint to a local URL')
      .requiredOption(
        '--forward-to <url>',
        'local URL that receives the events, e.g. http://localhost:8080/hook',
        localUrl,
      )
      .option('--events <types>', 'comma-separated event types (default: all)', (raw: string) =>
        raw
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean),
      ),
  ).action(listen);
}
