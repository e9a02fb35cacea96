// The demo account of the embedded mode: a Pro user, a team and a few sample conversations.
import type { AccountsService } from './accounts.ts';

export const DEMO_USER_ID = 'usr_demo';

export async function seedDemo(
  accounts: AccountsService,
  credentials: { email: string; password: string },
): Promise<void> {
  await accounts.upsertTeam('team_demo', 'Demo team');
  await accounts.upsertUser(DEMO_USER_ID, { ...credentials, plan: 'pro', teamIds: ['team_demo'] });
  await accounts.upsertUser('usr_demo_teammate', {
    email: 'teammate@klang.example',
    plan: 'team',
    teamIds: ['team_demo'],
  });
  const conversations = [
    { id: 'conv_demo_weekly', title: 'Weekly sync', shared: { sharedWithTeams: ['team_demo'] } },
    { id: 'conv_demo_customer', title: 'Customer call: Acme onboarding', shared: {} },
    {
      id: 'conv_demo_interview',
      title: 'Candidate interview',
      shared: { sharedWithUsers: ['usr_demo_teammate'] },
    },
  ];
  for (const c of conversations) {
    await accounts.upsertConversation(c.id, {
      ownerId: DEMO_USER_ID,
      title: c.title,
      url: `https://app.klang.example/conversations/${c.id}`,
      ...c.shared,
    });
  }
}
