// Resolving a webhook host and judging every address it resolves to (the SSRF guard's DNS half).
// Used at save time by the API and, through the HTTP client's connect hook, at every connection.
import { lookup as dnsLookup } from 'node:dns/promises';
import { checkAddress, isIpLiteral } from '../domain/address-policy.ts';
import { blockedHostName } from '../domain/url-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (A and AAAA); rejects when it cannot. */
export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: LookupFn = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

export type HostCheck =
  | { ok: true; addresses: string[]; resolved: boolean }
  | { ok: false; code: 'destination_not_allowed'; message: string };

export interface HostCheckOptions {
  allowPrivate: boolean;
  lookup?: LookupFn;
  /** Give up resolving after this long (treated like a DNS failure). Default 3 s. */
  timeoutMs?: number;
}

/** The first blocked address of a resolved set, with its reason; any blocked address blocks the host. */
export function firstBlocked(addresses: readonly string[]): { address: string; reason: string } | undefined {
  for (const address of addresses) {
    const verdict = checkAddress(address);
    if (!verdict.allowed) return { address, reason: verdict.reason };
  }
  return undefined;
}

const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * Save-time check of a URL host. Blocks when the host is a blocked literal or name, or when any
 * address it resolves to is blocked. A DNS failure or timeout does not block (the host may not
 * exist yet); `resolved: false` reports it. Every connection is checked again by the HTTP client.
 */
export async function resolveAndCheckHost(host: string, options: HostCheckOptions): Promise<HostCheck> {
  const bare = unbracket(host);
  if (isIpLiteral(bare)) {
    if (options.allowPrivate) return { ok: true, addresses: [bare], resolved: true };
    const blocked = firstBlocked([bare]);
    return blocked ? refuse(`${bare} is ${blocked.reason}`) : { ok: true, addresses: [bare], resolved: true };
  }
  if (!options.allowPrivate) {
    const reason = blockedHostName(bare);
    if (reason) return refuse(reason);
  }
  let addresses: string[];
  try {
    const found = await withTimeout((options.lookup ?? systemLookup)(bare), options.timeoutMs ?? 3_000);
    addresses = found.map((entry) => entry.address);
  } catch {
    return { ok: true, addresses: [], resolved: false };
  }
  if (!options.allowPrivate) {
    const blocked = firstBlocked(addresses);
    if (blocked) return refuse(`${bare} resolves to ${blocked.address}, which is ${blocked.reason}`);
  }
  return { ok: true, addresses, resolved: true };
}

const refuse = (reason: string): HostCheck => ({
  ok: false,
  code: 'destination_not_allowed',
  message: `url destination is not allowed: ${reason}`,
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
