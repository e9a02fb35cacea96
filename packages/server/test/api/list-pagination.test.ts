// GET /api/v1/webhooks and GET /api/v1/tokens page as CONTRACT.md says: ?limit= (1–100, default 20,
// decimal digits only) and ?cursor=, answering { data, next_cursor }.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import { type ApiCaller, apiAs, createWebhook } from '../support/webhook-api.ts';

interface Page {
  data: { id: string; activity_24h?: unknown }[];
  next_cursor: string | null;
}

/** Every page of `path` at `limit`, following next_cursor until it is null. */
async function allPages(api: ApiCaller, path: string, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await api.get(`${path}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as Page;
    pages.push(page);
    cursor = page.next_cursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor !== null);
  return pages;
}

describeEachDatabase('list pagination on %s', (kind) => {
  let t: TestApp;
  let api: ApiCaller;
  let other: ApiCaller;
  const webhookIds: string[] = [];
  const tokenIds: string[] = [];
  beforeAll(async () => {
    t = await createTestApp(kind);
    const user = await createUserWithToken(t, 'pro');
    api = apiAs(t, user.headers);
    other = apiAs(t, (await createUserWithToken(t, 'pro')).headers);
    await createWebhook(other);
    for (let i = 0; i < 23; i++) webhookIds.push((await createWebhook(api)).id);
    tokenIds.push(...(await api.get('/tokens')).json().data.map((token: { id: string }) => token.id));
    for (let i = 0; i < 4; i++) tokenIds.unshift((await api.post('/tokens', { name: `t${i}` })).json().id);
  });
  afterAll(() => t.dispose());

  it('lists 20 webhooks by default, oldest first, with a next_cursor to the rest', async () => {
    const first = (await api.get('/webhooks')).json() as Page;
    expect(first.data.map((w) => w.id)).toEqual(webhookIds.slice(0, 20));
    expect(first.data.every((w) => w.activity_24h !== undefined)).toBe(true);
    expect(first.next_cursor).toBe(webhookIds[19]);
    const rest = (await api.get(`/webhooks?cursor=${first.next_cursor}`)).json() as Page;
    expect(rest).toMatchObject({ next_cursor: null });
    expect(rest.data.map((w) => w.id)).toEqual(webhookIds.slice(20));
  });

  it('walks every webhook exactly once at any page size, and only the caller’s', async () => {
    for (const limit of [1, 7, 23, 100]) {
      const pages = await allPages(api, '/webhooks', limit);
      expect(pages.flatMap((p) => p.data.map((w) => w.id))).toEqual(webhookIds);
      expect(pages.length).toBe(Math.ceil(23 / limit));
    }
  });

  it('lists tokens newest first in pages', async () => {
    expect(tokenIds).toHaveLength(5);
    const pages = await allPages(api, '/tokens', 2);
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.data.map((token) => token.id))).toEqual(tokenIds);
    const all = (await api.get('/tokens')).json() as Page;
    expect(all).toMatchObject({ next_cursor: null });
    expect(all.data).toHaveLength(5);
  });

  it.each(['/webhooks', '/tokens'])('refuses a bad limit or cursor on %s with 422', async (path) => {
    const bad = [
      'limit=0',
      'limit=101',
      'limit=0x10',
      'limit=1e1',
      'limit=+5',
      'limit=%205',
      'limit=2.5',
      'limit=abc',
    ];
    for (const query of bad) {
      const response = await api.get(`${path}?${query}`);
      expect(response.statusCode, query).toBe(422);
      expect(response.json().error).toMatchObject({
        code: 'validation_failed',
        details: [{ field: 'querystring.limit' }],
      });
    }
    for (const cursor of ['nope', 'att_01jc0000000000000000000000', 'x'.repeat(101)]) {
      const response = await api.get(`${path}?cursor=${cursor}`);
      expect(response.statusCode, cursor).toBe(422);
      expect(response.json().error.details[0].field).toMatch(/cursor$/);
    }
  });

  it('a cursor of another user’s webhook only pages within the caller’s own', async () => {
    const theirs = (await other.get('/webhooks')).json() as Page;
    const page = (await api.get(`/webhooks?limit=100&cursor=${theirs.data[0]!.id}`)).json() as Page;
    expect(page.data.every((w) => webhookIds.includes(w.id))).toBe(true);
  });
});
