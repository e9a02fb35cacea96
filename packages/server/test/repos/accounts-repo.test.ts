import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccountsRepo } from '../../src/db/repos/accounts-repo.ts';
import { createConversationsRepo } from '../../src/db/repos/conversations-repo.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';

describeEachDatabase('accounts and conversations repos on %s', (kind) => {
  let database: TestDatabase;
  let accounts: ReturnType<typeof createAccountsRepo>;
  let conversations: ReturnType<typeof createConversationsRepo>;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    accounts = createAccountsRepo(database.db);
    conversations = createConversationsRepo(database.db);
  });
  afterAll(() => database.dispose());

  it('upserts users, keeping the password hash and memberships unless given', async () => {
    await accounts.upsertTeam('t1', 'One');
    await accounts.upsertTeam('t2', 'Two');
    const created = await accounts.upsertUser({
      id: 'u1',
      email: 'U1@Example.com',
      plan: 'pro',
      passwordHash: 'h1',
      teamIds: ['t1', 't2', 't1'],
    });
    expect(created).toMatchObject({
      ok: true,
      user: { email: 'u1@example.com', passwordHash: 'h1', teamIds: ['t1', 't2'] },
    });
    const updated = await accounts.upsertUser({ id: 'u1', email: 'u1@example.com', plan: 'free' });
    expect(updated).toMatchObject({
      ok: true,
      user: { plan: 'free', passwordHash: 'h1', teamIds: ['t1', 't2'] },
    });
    const moved = await accounts.upsertUser({ id: 'u1', email: 'u1@example.com', plan: 'team', teamIds: [] });
    expect(moved).toMatchObject({ ok: true, user: { teamIds: [] } });
    expect(await accounts.getUserByEmail('U1@EXAMPLE.COM')).toMatchObject({ id: 'u1', plan: 'team' });
  });

  it('refuses an email held by another user and changes nothing', async () => {
    await accounts.upsertUser({ id: 'u2', email: 'u2@example.com', plan: 'pro' });
    expect(await accounts.upsertUser({ id: 'u3', email: 'u2@example.com', plan: 'pro' })).toEqual({
      ok: false,
      reason: 'email_taken',
    });
    expect(await accounts.getUser('u3')).toBeUndefined();
  });

  it('creates a new user once under concurrent first upserts of the same id (never email_taken)', async () => {
    for (let round = 0; round < 10; round++) {
      const id = `race${round}`;
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          accounts.upsertUser({ id, email: `${id}@example.com`, plan: 'pro' }),
        ),
      );
      expect(results.map((r) => r.ok)).toEqual(Array(12).fill(true));
    }
  });

  it('sets plans and reports missing ids', async () => {
    for (const id of ['plan1', 'plan2'])
      await accounts.upsertUser({ id, email: `${id}@example.com`, plan: 'pro' });
    expect(await accounts.setPlan('plan2', 'team')).toBe(true);
    expect((await accounts.getUser('plan2'))?.plan).toBe('team');
    expect(await accounts.setPlan('nobody', 'team')).toBe(false);
    expect(await accounts.missingIds('users', ['plan1', 'zz', 'plan2'])).toEqual(['zz']);
    expect(await accounts.missingIds('teams', [])).toEqual([]);
  });

  it('grants access to the owner, direct shares and members of shared teams only', async () => {
    for (const id of ['owner', 'direct', 'member', 'outsider'])
      await accounts.upsertUser({ id, email: `${id}@example.com`, plan: 'pro' });
    await accounts.upsertTeam('tm', 'Team');
    await accounts.upsertUser({ id: 'member', email: 'member@example.com', plan: 'pro', teamIds: ['tm'] });
    const conversation = await conversations.upsert({
      id: 'c1',
      ownerId: 'owner',
      title: 'T',
      url: null,
      sharedWithUsers: ['direct'],
      sharedWithTeams: ['tm'],
    });
    expect(conversation).toMatchObject({
      ownerId: 'owner',
      sharedWithUsers: ['direct'],
      sharedWithTeams: ['tm'],
    });
    const access = async (user: string) => conversations.hasAccess(user, 'c1');
    expect(await Promise.all(['owner', 'direct', 'member', 'outsider'].map(access))).toEqual([
      true,
      true,
      true,
      false,
    ]);

    // PUT semantics: the shares are replaced; access follows at once.
    await conversations.upsert({
      id: 'c1',
      ownerId: 'owner',
      title: 'T',
      url: null,
      sharedWithUsers: [],
      sharedWithTeams: [],
    });
    expect(await Promise.all(['owner', 'direct', 'member'].map(access))).toEqual([true, false, false]);
    // Leaving the team removes access through it.
    await conversations.upsert({
      id: 'c1',
      ownerId: 'owner',
      title: 'T',
      url: null,
      sharedWithUsers: [],
      sharedWithTeams: ['tm'],
    });
    expect(await access('member')).toBe(true);
    await accounts.upsertUser({ id: 'member', email: 'member@example.com', plan: 'pro', teamIds: [] });
    expect(await access('member')).toBe(false);
    expect(await conversations.hasAccess('owner', 'missing')).toBe(false);
  });
});
