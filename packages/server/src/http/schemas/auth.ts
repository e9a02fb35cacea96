// Request and response schemas of sign-in, the current user and API tokens, plus the security
// requirements every /api/v1 route declares in the OpenAPI document.
import { z } from 'zod';
import { isoTime, nextCursor, safeText } from './common.ts';

/** Safe methods: an API token or the session cookie. */
export const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
/** Unsafe methods: an API token, or the session cookie together with the x-csrf-token header. */
export const writeSecurity: Record<string, string[]>[] = [{ bearer: [] }, { session: [], csrf: [] }];

export const SessionIn = z
  .strictObject({
    email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
    password: safeText(256).min(1, 'must not be empty'),
  })
  .meta({ id: 'SessionIn' });

export const MeOut = z
  .object({
    id: z.string().describe('User id'),
    email: z.string(),
    plan: z.enum(['free', 'pro', 'team']),
  })
  .meta({ id: 'Me', description: 'The signed-in user.' });

export const SessionOut = z
  .object({
    user: MeOut,
    csrf_token: z
      .string()
      .describe('Send as the x-csrf-token header on every POST, PATCH, PUT and DELETE with this session.'),
  })
  .meta({ id: 'Session' });

export const TokenIn = z
  .strictObject({
    name: safeText(100)
      .refine((s) => s.trim().length > 0, 'must not be blank')
      .describe('A label to recognise the token by, such as "CI" or "billing service"'),
  })
  .meta({ id: 'ApiTokenIn' });

export const TokenOut = z
  .object({
    id: z.string().describe('Token id (tok_…); not a credential'),
    name: z.string(),
    created_at: isoTime,
    last_used_at: isoTime.nullable().describe('Last request made with the token (minute precision)'),
  })
  .meta({ id: 'ApiToken' });

export const TokenCreatedOut = z
  .object({
    id: z.string().describe('Token id (tok_…)'),
    name: z.string(),
    token: z.string().describe('The bearer token (kwt_…). Shown only in this answer; store it now.'),
    created_at: isoTime,
  })
  .meta({ id: 'ApiTokenCreated' });

export const TokenListOut = z
  .object({ data: z.array(TokenOut), next_cursor: nextCursor })
  .meta({ id: 'ApiTokenList' });

export const TokenIdParams = z.object({
  id: z.string().max(100, 'must be at most 100 characters').describe('Token id (tok_…)'),
});
