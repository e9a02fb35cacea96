// Schema building blocks shared by every route: safe text, host ids, error and list shapes.
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../../domain/errors.ts';
import { HOST_ID_PATTERN } from '../../domain/ids.ts';

/** Text that PostgreSQL and SQLite both store faithfully: no NUL, no lone surrogates. */
export const safeText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .refine((s) => s.isWellFormed(), 'must be well-formed Unicode');

export const hostId = z
  .string()
  .regex(HOST_ID_PATTERN, 'must be 1–128 characters of letters, digits, _ - : @');

export const isoTime = z.string().meta({ format: 'date-time', description: 'ISO-8601 UTC time' });

/** `?limit=&cursor=` of every list. Decimal digits only: Number() would also take 0x10, 1e1, +5 and
 * " 5"; those stay strings and fail. */
export const PageQuery = z.object({
  limit: z
    .preprocess(
      (raw) => (typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : raw),
      z
        .number({ error: () => 'must be a whole number from 1 to 100, in decimal digits' })
        .int('must be a whole number from 1 to 100')
        .min(1, 'must be at least 1')
        .max(100, 'must be at most 100')
        .default(20),
    )
    .describe('Page size, 1–100 (default 20)'),
  cursor: z
    .string()
    .max(100, 'is not a valid cursor')
    .optional()
    .describe('next_cursor of the previous page'),
});

export const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as `cursor` to get the next page; null on the last page');

export const ErrorOut = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]).describe('See docs/errors.md'),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** The error answers a route may give, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorOut])) as Record<number, typeof ErrorOut>;
