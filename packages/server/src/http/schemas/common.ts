// Schema building blocks shared by every route: safe text, host ids, error and list shapes.
import { z } from 'zod';
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

export const isoTime = z.string().describe('ISO-8601 UTC time');

export const ErrorOut = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** The error answers a route may give, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorOut])) as Record<number, typeof ErrorOut>;
