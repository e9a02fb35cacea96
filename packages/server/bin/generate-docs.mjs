#!/usr/bin/env node
// Writes the generated reference docs (docs/config.md, docs/errors.md) from the sources.
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { renderConfigDocs } = await import('../src/config/config-docs.ts');
const { renderErrorDocs } = await import('../src/domain/error-docs.ts');
for (const [file, text] of [
  ['config.md', renderConfigDocs()],
  ['errors.md', renderErrorDocs()],
]) {
  const target = new URL(`../../../docs/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
