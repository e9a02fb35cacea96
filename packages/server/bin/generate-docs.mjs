#!/usr/bin/env node
// Writes the generated reference docs (docs/config.md) from the sources.
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { renderConfigDocs } = await import('../src/config/config-docs.ts');
const target = new URL('../../../docs/config.md', import.meta.url);
writeFileSync(target, renderConfigDocs());
process.stdout.write(`wrote ${target.pathname}\n`);
