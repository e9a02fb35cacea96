#!/usr/bin/env node
// Entry point of the `klang-webhooks` command: runs the compiled JavaScript of dist/ (built at
// install and by `npm run build`); in a development checkout without dist/, the sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.js', import.meta.url);
let runCli;
if (existsSync(compiled)) {
  ({ runCli } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli.ts'));
}
await runCli(process.argv);
