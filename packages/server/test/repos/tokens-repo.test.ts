// API tokens repository contract: only the hash is stored, lookup by hash joins the owner,
// listing newest first, last-used updates and owner-scoped revocation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokensRepo, type TokensRepo } from '../../src/db/repos/tokens-repo.ts';
import { newId } from '../../src/domain/ids.ts';
import { generateToken, hashToken } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser } from '../support/fixtures.ts';

describeEachDatabase('tokens repo on %s', (kind) => {
  let database: TestDatabase;
  let tokens: TokensRepo;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    tokens = createTokensRepo(database.db);
  });
  afterAll(() => database.dispose());

  async function issue(userId: string, name = 'ci', createdAt = 1_000) {
    const plaintext = generateToken('kwt_');
    const id = newId.token();
    const token = await tokens.insert({ id, userId, name, tokenHash: hashToken(plaintext), createdAt });
    return { id, plaintext, token };
  }

  it('stores only the hash and finds the owner by it', async () => {
    const user = await insertUser(database.db, 'team');
    const { id, plaintext, token } = await issue(user);
    expect(token).toEqual({ id, userId: user, name: 'ci', createdAt: new Date(1_000), lastUsedAt: null });
    const row = await database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(plaintext));
    expect(JSON.stringify(row)).not.toContain(plaintext);
    expect(await tokens.findByHash(hashToken(plaintext))).toEqual({
      tokenId: id,
      lastUsedAt: null,
      user: { id: user, email: `${user}@example.com`, plan: 'team' },
    });
    expect(await tokens.findByHash(plaintext)).toBeUndefined();
    expect(await tokens.findByHash(hashToken(`${plaintext}x`))).toBeUndefined();
  });

  it('records last use', async () => {
    const user = await insertUser(database.db);
    const { id, plaintext } = await issue(user);
    await tokens.touch(id, 7_000);
    expect(await tokens.findByHash(hashToken(plaintext))).toMatchObject({ lastUsedAt: 7_000 });
    expect((await tokens.listForUser(user))[0]).toMatchObject({ lastUsedAt: new Date(7_000) });
  });

  it('counts and lists a user’s tokens, newest first, without other users’ tokens', async () => {
    const user = await insertUser(database.db);
    const other = await insertUser(database.db);
    const first = await issue(user, 'first');
    const second = await issue(user, 'second');
    await issue(other, 'foreign');
    expect(await tokens.countForUser(user)).toBe(2);
    expect((await tokens.listForUser(user)).map((t) => [t.id, t.name])).toEqual([
      [second.id, 'second'],
      [first.id, 'first'],
    ]);
    expect(await tokens.countForUser(await insertUser(database.db))).toBe(0);
  });

  it('revokes only the owner’s token, after which the hash finds nothing', async () => {
    const owner = await insertUser(database.db);
    const other = await insertUser(database.db);
    const { id, plaintext } = await issue(owner);
    expect(await tokens.deleteForUser(other, id)).toBe(false);
    expect(await tokens.findByHash(hashToken(plaintext))).toBeDefined();
    expect(await tokens.deleteForUser(owner, id)).toBe(true);
    expect(await tokens.findByHash(hashToken(plaintext))).toBeUndefined();
    expect(await tokens.deleteForUser(owner, id)).toBe(false);
    expect(await tokens.countForUser(owner)).toBe(0);
  });

  it('refuses a second token with the same hash', async () => {
    const user = await insertUser(database.db);
    const { plaintext } = await issue(user);
    await expect(
      tokens.insert({
        id: newId.token(),
        userId: user,
        name: 'dup',
        tokenHash: hashToken(plaintext),
        createdAt: 1,
      }),
    ).rejects.toThrow();
  });
});
