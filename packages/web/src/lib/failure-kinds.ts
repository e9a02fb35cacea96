// How the 24-hour failures by kind read on the detail page: a plain-language label per kind and
// the troubleshooting section it links to, listing only the kinds that occurred, largest first.
import type { Schemas } from '../api/client.ts';
import { RECEIVER_DOCS_URL } from './failure-hints.ts';

export type FailuresByKind = Schemas['FailuresByKind'];
export type FailureKind = keyof FailuresByKind;

interface KindText {
  label: string;
  /** What happened, in a sentence (the entry's tooltip). */
  description: string;
  /** Anchor of the troubleshooting section in the receiver docs. */
  anchor: string;
}

/** In the order the API lists them. */
export const FAILURE_KIND_TEXT: Record<FailureKind, KindText> = {
  timeout: {
    label: 'Timed out',
    description: 'Your endpoint did not answer in time.',
    anchor: 'timeouts',
  },
  connection: {
    label: 'Connection failed',
    description: 'The connection was refused, reset or broke off.',
    anchor: 'connection-refused-or-reset',
  },
  dns: {
    label: 'Host not found',
    description: 'The host name could not be resolved.',
    anchor: 'dns-errors',
  },
  tls: {
    label: 'TLS failed',
    description: 'The TLS handshake or the certificate check failed.',
    anchor: 'tls-errors',
  },
  redirect: {
    label: 'Redirected',
    description: 'Your endpoint answered with a redirect, which Klang never follows.',
    anchor: 'redirects',
  },
  client_error: {
    label: 'Rejected (4xx)',
    description: 'Your endpoint answered with a 4xx status.',
    anchor: 'other-4xx',
  },
  server_error: {
    label: 'Server error (5xx)',
    description: 'Your endpoint answered with a 5xx status.',
    anchor: 'server-errors-5xx',
  },
  blocked: {
    label: 'Address not allowed',
    description: 'The URL points to a private, loopback or reserved address.',
    anchor: 'blocked-addresses',
  },
};

export interface FailureKindEntry extends KindText {
  kind: FailureKind;
  count: number;
  /** The troubleshooting section in the receiver docs. */
  href: string;
}

/** The kinds with at least one failure, most failures first (ties in the API's order). */
export function failureKindEntries(failures: FailuresByKind | undefined): FailureKindEntry[] {
  if (!failures) return [];
  return (Object.keys(FAILURE_KIND_TEXT) as FailureKind[])
    .map((kind, order) => ({ kind, order, count: failures[kind] ?? 0 }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .map(({ kind, count }) => ({
      kind,
      count,
      ...FAILURE_KIND_TEXT[kind],
      href: `${RECEIVER_DOCS_URL}#${FAILURE_KIND_TEXT[kind].anchor}`,
    }));
}
