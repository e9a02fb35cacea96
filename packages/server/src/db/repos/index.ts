// Every repository over one database handle. All SQL lives in db/.
import type { DatabaseHandle } from '../connect.ts';
import { createAccountsRepo } from './accounts-repo.ts';
import { createAttemptsRepo } from './attempts-repo.ts';
import { createConversationsRepo } from './conversations-repo.ts';
import { createDeliveriesRepo } from './deliveries-repo.ts';
import { createEventsRepo } from './events-repo.ts';
import { createListenRepo } from './listen-repo.ts';
import { createQueueStatsRepo } from './queue-stats-repo.ts';
import { createSessionsRepo } from './sessions-repo.ts';
import { createStatsRepo } from './stats-repo.ts';
import { createTokensRepo } from './tokens-repo.ts';
import { createWebhooksRepo } from './webhooks-repo.ts';
import { createWorkersRepo } from './workers-repo.ts';

export function createRepos(database: DatabaseHandle) {
  const { db } = database;
  return {
    accounts: createAccountsRepo(db),
    conversations: createConversationsRepo(db),
    events: createEventsRepo(db, database.dialect, database.intakeStore),
    queueStats: createQueueStatsRepo(db),
    webhooks: createWebhooksRepo(db, database.dialect),
    deliveries: createDeliveriesRepo(db),
    listen: createListenRepo(db),
    attempts: createAttemptsRepo(db),
    stats: createStatsRepo(db),
    sessions: createSessionsRepo(db),
    tokens: createTokensRepo(db),
    workers: createWorkersRepo(db),
  };
}

export type Repos = ReturnType<typeof createRepos>;
