// Bad input for every field of the webhook routes (research table B1–B36), with the production URL
// policy (private targets not allowed): always a 4xx with a code and the field, never a 500, nothing stored.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import { type ApiCaller, apiAs } from '../support/webhook-api.ts';

const PUBLIC_URL = 'https://93.184.216.34/hook';

describeEachDatabase('webhook input validation on %s', (kind) => {
  let t: TestApp;
  let api: ApiCaller;
  let headers: Record<string, string>;
  let webhookId: string;
  let webhookCount: () => Promise<number>;

  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_ALLOW_PRIVATE_TARGETS: 'false' });
    const user = await createUserWithToken(t, 'pro');
    headers = user.headers;
    api = apiAs(t, headers);
    const created = await api.post('/webhooks', { url: PUBLIC_URL, description: 'original' });
    expect(created.statusCode, created.body).toBe(201);
    webhookId = created.json().id;
    webhookCount = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('webhooks')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
  });
  afterAll(() => t.dispose());

  const expect422 = async (
    body: unknown,
    field: string,
    path = '/webhooks',
    method: 'POST' | 'PATCH' = 'POST',
  ) => {
    const before = await webhookCount();
    const response = await api.call(method, path, body);
    expect(response.statusCode, `${JSON.stringify(body).slice(0, 80)} → ${response.body}`).toBe(422);
    const { error } = response.json();
    expect(error.code).toBe('validation_failed');
    // Items are named by index (events.0); unknown keys by the body and the key in the message.
    expect(
      error.details.some((d: { field: string }) => d.field === field || d.field.startsWith(`${field}.`)),
    ).toBe(true);
    expect(error.message.length).toBeGreaterThan(5);
    expect(await webhookCount()).toBe(before);
    return error as { message: string; details: { field: string; message: string }[] };
  };

  const BAD_URLS: [string, unknown, RegExp][] = [
    ['B1 missing', undefined, /required/],
    ['B1 null', null, /string/],
    ['B1 empty', '', /non-empty/],
    ['B1 number', 42, /string/],
    ['B2', 'not a url', /spaces|absolute/],
    ['B2', 'https//x', /absolute/],
    ['B2', 'https:/x', /https:\/\//],
    ['B3', 'javascript:alert(1)', /scheme/],
    ['B4', 'file:///etc/passwd', /scheme/],
    ['B4', 'ftp://example.com/x', /scheme/],
    ['B4', 'gopher://example.com/x', /scheme/],
    ['B4', 'data:text/plain,hi', /scheme/],
    ['B4', 'ws://example.com/x', /scheme/],
    ['B5 plain http', 'http://example.com/hook', /scheme "http"/],
    ['B6', 'https://127.0.0.1/', /loopback/],
    ['B6', 'https://[::1]/', /not allowed/],
    ['B6', 'https://169.254.169.254/', /link-local/],
    ['B6', 'https://10.1.2.3/', /private/],
    ['B7', 'https://2130706433/', /loopback/],
    ['B7', 'https://0x7f.1/', /loopback/],
    ['B7', 'https://0177.0.0.1/', /loopback/],
    ['B7', 'https://127.1/', /loopback/],
    ['B8', 'https://[::ffff:127.0.0.1]/', /not allowed/],
    ['B8', 'https://[64:ff9b::a9fe:a9fe]/', /not allowed/],
    ['B9', 'https://user:pass@example.com/', /credentials/],
    ['B10', 'https://example.com:22/', /port/],
    ['B10', 'https://example.com:0/', /port/],
    ['B10', 'https://example.com:65536/', /valid URL/],
    ['B10', 'https://example.com:abc/', /valid URL/],
    ['B11', `https://example.com/${'a'.repeat(10_000)}`, /longer than 2048/],
    ['B12 CRLF', 'https://a.com/\r\nX-Evil: 1', /control/],
    ['B12 tab', 'https://a.com/\tx', /control/],
    ['B12 NUL', 'https://a.com/\u0000', /control/],
    ['B12 space', 'https://a.com/ x', /spaces/],
    ['B14', 'https://example.com/#frag', /fragment/],
    ['B15', 'https://localhost./', /local/],
    ['B15', 'https://foo.localhost/', /localhost/],
    ['single label', 'https://intranet/', /single-label/],
    ['metadata name', 'https://metadata.google.internal/', /internal/],
  ];

  it.each(BAD_URLS)('create refuses url %s %j', async (_case, url, message) => {
    const error = await expect422(url === undefined ? {} : { url }, 'url');
    expect(error.details.find((d) => d.field === 'url')?.message).toMatch(message);
  });

  it('B32: a PATCH to a refused URL changes nothing', async () => {
    for (const [, url] of BAD_URLS.filter(([, url]) => url !== undefined)) {
      await expect422({ url }, 'url', `/webhooks/${webhookId}`, 'PATCH');
    }
    expect((await api.get(`/webhooks/${webhookId}`)).json().url).toBe(PUBLIC_URL);
  });

  it('B13: an internationalised host is stored as punycode', async () => {
    const response = await api.post('/webhooks', { url: 'https://exаmple.com/hook' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().url).toBe('https://xn--exmple-4nf.com/hook');
    await api.del(`/webhooks/${response.json().id}`);
  });

  it('B17/B19: description longer than 500, with NUL or a lone surrogate is refused', async () => {
    await expect422({ url: PUBLIC_URL, description: 'x'.repeat(501) }, 'description');
    await expect422({ url: PUBLIC_URL, description: 'a\u0000b' }, 'description');
    const before = await webhookCount();
    const lone = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"url":"${PUBLIC_URL}","description":"\\ud800"}`,
    });
    expect(lone.statusCode).toBe(422);
    expect(lone.json().error.details[0].field).toBe('description');
    expect(await webhookCount()).toBe(before);
    await expect422({ description: 42 }, 'description', `/webhooks/${webhookId}`, 'PATCH');
  });

  it('B18: description with emoji, RTL override and ZWJ round-trips exactly', async () => {
    const description = 'Ops 👩‍💻 \u202Egnp.exe\u202C zero\u200Dwidth — ünïcödé '.repeat(5).slice(0, 500);
    const response = await api.post('/webhooks', { url: PUBLIC_URL, description });
    expect(response.statusCode).toBe(201);
    expect((await api.get(`/webhooks/${response.json().id}`)).json().description).toBe(description);
    await api.del(`/webhooks/${response.json().id}`);
  });

  it.each([
    ['B20 empty', [], /at least one/],
    ['B21 unknown', ['conversation.nope'], /conversation.ready, conversation.failed, conversation.deleted/],
    ['B22 string', 'conversation.ready', /array/],
    ['B22 numbers', [1, 2], /must be one of/],
    ['B22 500 entries', Array.from({ length: 500 }, () => 'conversation.ready'), /at most 20/],
    ['null', null, /array/],
  ])('%s events are refused', async (_case, events, message) => {
    const error = await expect422({ url: PUBLIC_URL, events }, 'events');
    expect(error.details.map((d) => d.message).join(' ')).toMatch(message);
    await expect422({ events }, 'events', `/webhooks/${webhookId}`, 'PATCH');
  });

  it.each([['owner_id'], ['user_id'], ['plan'], ['consecutive_failures'], ['status'], ['secret'], ['id']])(
    'B24: the unknown or privileged field %s is refused and never applied',
    async (field) => {
      const error = await expect422({ url: PUBLIC_URL, [field]: 'x' }, field);
      expect(error.message).toContain(field);
      const patch = await api.patch(`/webhooks/${webhookId}`, { [field]: 'x' });
      expect(patch.statusCode).toBe(422);
      expect(patch.json().error.message).toContain(field);
    },
  );

  it('B25: prototype pollution is refused with 400 and pollutes nothing', async () => {
    for (const payload of [
      `{"url":"${PUBLIC_URL}","__proto__":{"isAdmin":true}}`,
      `{"url":"${PUBLIC_URL}","constructor":{"prototype":{"isAdmin":true}}}`,
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: { ...headers, 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid_json');
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    }
  });

  it('B16/B26: oversized bodies are 413 and deep nesting is a 4xx, never a crash', async () => {
    const before = await webhookCount();
    const big = await api.post('/webhooks', { url: PUBLIC_URL, description: 'x'.repeat(10 * 1024 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
    const deep = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
    });
    expect(deep.statusCode).toBeGreaterThanOrEqual(400);
    expect(deep.statusCode).toBeLessThan(500);
    expect(deep.json().error.code).toMatch(/validation_failed|invalid_json/);
    expect(await webhookCount()).toBe(before);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
  ])('B27: content-type %s is %i', async (contentType, status) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': contentType },
      payload: JSON.stringify({ url: PUBLIC_URL }),
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe('unsupported_media_type');
  });

  it.each([
    ['truncated', '{"url":'],
    ['trailing garbage', `{"url":"${PUBLIC_URL}"} x`],
    ['NaN literal', `{"url":"${PUBLIC_URL}","description":NaN}`],
    ['single quotes', `{'url':'${PUBLIC_URL}'}`],
  ])('B28: malformed JSON (%s) is 400 invalid_json', async (_case, payload) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_json');
  });

  it('B28: a byte-order mark before the JSON is tolerated (stripped by the parser)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `\uFEFF{"url":"${PUBLIC_URL}","description":"bom"}`,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().description).toBe('bom');
    await api.del(`/webhooks/${response.json().id}`);
  });

  it('B29: with duplicate keys the value used (the last) is the one validated', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"url":"${PUBLIC_URL}","url":"https://127.0.0.1/"}`,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details[0].field).toBe('url');
  });

  it.each([['[]'], ['"str"'], ['null'], ['42'], ['true']])(
    'B30: the top-level body %s is refused',
    async (payload) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: { ...headers, 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('validation_failed');
    },
  );

  it.each([['"yes"'], ['1'], ['null'], ['"true"']])('B33: send_missed %s is refused', async (value) => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${webhookId}/resume`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"send_missed":${value}}`,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details[0]).toMatchObject({
      field: 'send_missed',
      message: 'must be true or false',
    });
  });

  it.each([
    ['abc'],
    ['-1'],
    ['1e309'],
    ['%2e%2e%2f'],
    ['%00'],
    ['wh_%F0%9F%92%A9'],
    ['x'.repeat(5000)],
    ["wh_'%20OR%201=1--"],
  ])('B34: the path id %s is a 404 on every route', async (id) => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['GET', '/secret'],
      ['POST', '/secret/rotate'],
      ['POST', '/test'],
      ['GET', '/attempts'],
      ['GET', '/stats'],
    ] as const) {
      const response = await api.call(
        method,
        `/webhooks/${id}${suffix}`,
        method === 'PATCH' ? {} : undefined,
      );
      expect(response.statusCode, `${method} ${suffix} ${response.body}`).toBe(404);
      expect(response.json().error.code).toMatch(/^(webhook_not_found|not_found)$/);
    }
  });

  it('the webhook survived every bad request unchanged', async () => {
    const webhook = (await api.get(`/webhooks/${webhookId}`)).json();
    expect(webhook).toMatchObject({ url: PUBLIC_URL, description: 'original', status: 'active' });
  });
});
