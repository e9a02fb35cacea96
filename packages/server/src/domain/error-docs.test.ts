// docs/errors.md: every code of the catalog with its status and meaning, generated and drift-tested.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorDocs } from './error-docs.ts';
import { ERRORS } from './errors.ts';

describe('docs/errors.md', () => {
  const committed = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

  it('is up to date with the error catalog (run `npm run docs` after changing it)', () => {
    expect(committed).toBe(renderErrorDocs());
  });

  it('lists every code once with its status and a meaning', () => {
    for (const [code, status] of Object.entries(ERRORS)) {
      const rows = committed.split('\n').filter((line) => line.startsWith(`| \`${code}\` |`));
      expect(rows, code).toHaveLength(1);
      expect(rows[0], code).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\| \\S.{10,} \\|$`));
    }
  });
});
