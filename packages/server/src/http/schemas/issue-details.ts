// Zod issues as the error details of CONTRACT.md, fields named as in JavaScript: `events[3].type`;
// an unknown key is named as its own field.
import type { z } from 'zod';
import type { ErrorDetail } from '../../domain/errors.ts';

/** `events[3].error.code` from ['events', 3, 'error', 'code'], after `prefix` when given. */
export function fieldName(path: readonly PropertyKey[], prefix = ''): string {
  let name = prefix;
  for (const part of path) {
    name += typeof part === 'number' ? `[${part}]` : name ? `.${String(part)}` : String(part);
  }
  return name;
}

export function issueDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: fieldName([...issue.path, key], prefix),
          message: 'is not a known field',
        }))
      : [{ field: fieldName(issue.path, prefix) || 'body', message: issue.message }],
  );
}
