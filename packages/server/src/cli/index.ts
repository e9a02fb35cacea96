// The user commands, over the User API of a running server: login, webhooks, attempts,
// deliveries, listen.
import type { Command } from 'commander';
import { registerAttempts } from './attempts.ts';
import { registerListen } from './listen.ts';
import { registerLogin } from './login.ts';
import { registerWebhooks } from './webhooks.ts';

export function registerUserCommands(program: Command): Command {
  registerLogin(program);
  registerWebhooks(program);
  registerAttempts(program);
  registerListen(program);
  return program;
}
