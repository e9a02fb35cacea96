// Writes docs/openapi.json from the route schemas (npm run docs:openapi); a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { renderOpenApiDocument } from '../src/openapi-document.ts';

const target = new URL('../../../docs/openapi.json', import.meta.url);
writeFileSync(target, await renderOpenApiDocument());
process.stdout.write(`wrote ${target.pathname}\n`);
