// Rewrites the generated sections and included examples of docs/webhooks.md (npm run docs); a test
// fails when the committed document is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReceiverGuide } from '../src/receiver-guide.ts';

const docs = new URL('../../../docs/', import.meta.url);
const target = new URL('webhooks.md', docs);
const current = readFileSync(target, 'utf8');
writeFileSync(
  target,
  renderReceiverGuide(current, (path) => readFileSync(new URL(path, docs), 'utf8')),
);
process.stdout.write(`wrote ${target.pathname}\n`);
