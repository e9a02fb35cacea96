#!/usr/bin/env node
// The `klang-webhooks` command on the TypeScript sources through tsx, for development and the tests
// that start real processes: they always run the code as it is, never a stale dist/.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv);
