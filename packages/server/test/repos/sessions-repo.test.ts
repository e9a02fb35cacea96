// Sessions repository contract: only hashes of the session and CSRF tokens are stored, lookup by
// hash (expired or not), last-seen updates, revocation and removal of expired or idle sessions.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSessionsRepo, type SessionsRepo } from '../../src/db/repos/sessions-repo.ts';
import { newId } from '../../src/domain/ids.ts';
import { generateToken, hashToken } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser } from '../support/fixtures.ts';

const HOUR = 3_600_000;

describeEachDatabase('sessions repo on %s', (kind) => {
  let database: TestDatabase;
  let sessions: SessionsRepo;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    sessions = createSessionsRepo(database.db);
  });
  afterAll(() => database.dispose());

  async function open(userId: string, createdAt = 10 * HOUR, expiresAt = createdAt + 24 * HOUR) {
    const token = generateToken('kws_');
    const csrf = generateToken('');
    const id = newId.session();
    await sessions.insert({
      id,
      userId,
      tokenHash: hashToken(token),
      csrfHash: hashToken(csrf),
      createdAt,
      expiresAt,
    });
    return { id, token, csrf };
  }

  it('stores only hashes and finds the session with its owner by the token hash', async () => {
    const user = await insertUser(database.db, 'free');
    const { id, token, csrf } = await open(user);
    const row = await database.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(row.csrf_hash).toBe(hashToken(csrf));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(csrf);
    expect(await sessions.findByHash(hashToken(token))).toEqual({
      id,
      csrfHash: hashToken(csrf),
      createdAt: 10 * HOUR,
      lastSeenAt: 10 * HOUR,
      expiresAt: 34 * HOUR,
      user: { id: user, email: `${user}@example.com`, plan: 'free' },
    });
    expect(await sessions.findByHash(token)).toBeUndefined();
    expect(await sessions.findByHash(hashToken(csrf))).toBeUndefined();
  });

  it('returns an expired session too, with its expiry, for the caller to judge', async () => {
    const user = await insertUser(database.db);
    const { token } = await open(user, 1_000, 2_000);
    expect(await sessions.findByHash(hashToken(token))).toMatchObject({ createdAt: 1_000, expiresAt: 2_000 });
  });

  it('touch moves last-seen only', async () => {
    const user = await insertUser(database.db);
    const { id, token } = await open(user);
    await sessions.touch(id, 11 * HOUR);
    expect(await sessions.findByHash(hashToken(token))).toMatchObject({
      createdAt: 10 * HOUR,
      lastSeenAt: 11 * HOUR,
      expiresAt: 34 * HOUR,
    });
  });

  it('revokes a session once', async () => {
    const user = await insertUser(database.db);
    const { id, token } = await open(user);
    expect(await sessions.delete(id)).toBe(true);
    expect(await sessions.findByHash(hashToken(token))).toBeUndefined();
    expect(await sessions.delete(id)).toBe(false);
  });

  it('removes only the user’s sessions past expiry or idle too long', async () => {
    const user = await insertUser(database.db);
    const other = await insertUser(database.db);
    const expired = await open(user, 0, 5 * HOUR);
    const idle = await open(user, 0, 100 * HOUR);
    const fresh = await open(user, 0, 100 * HOUR);
    await sessions.touch(fresh.id, 9 * HOUR);
    await sessions.touch(idle.id, 2 * HOUR);
    const foreignExpired = await open(other, 0, 1 * HOUR);
    // now = 5h (expiry is inclusive), idle cut-off = 3h
    expect(await sessions.deleteExpiredForUser(user, 5 * HOUR, 3 * HOUR)).toBe(2);
    expect(await sessions.findByHash(hashToken(expired.token))).toBeUndefined();
    expect(await sessions.findByHash(hashToken(idle.token))).toBeUndefined();
    expect(await sessions.findByHash(hashToken(fresh.token))).toMatchObject({ id: fresh.id });
    expect(await sessions.findByHash(hashToken(foreignExpired.token))).toMatchObject({
      id: foreignExpired.id,
    });
    expect(await sessions.deleteExpiredForUser(user, 5 * HOUR, 3 * HOUR)).toBe(0);
  });

  it('deletes every session of one user, and only theirs', async () => {
    const user = await insertUser(database.db, 'pro');
    const other = await insertUser(database.db, 'pro');
    const [a, b] = [await open(user), await open(user)];
    const kept = await open(other);
    expect(await sessions.deleteAllForUser(user)).toBe(2);
    expect(await sessions.findByHash(hashToken(a.token))).toBeUndefined();
    expect(await sessions.findByHash(hashToken(b.token))).toBeUndefined();
    expect(await sessions.findByHash(hashToken(kept.token))).toBeDefined();
  });
});
