// The webhook URL policy applied when a URL is saved: WHATWG parsing and normalisation, scheme,
// credentials, port, length and destination rules. Pure (no DNS); the engine re-checks the
// resolved addresses at every connection.
import { checkAddress, isIpLiteral } from './address-policy.ts';

export const MAX_URL_LENGTH = 2048;

export type UrlPolicyCode =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'credentials_not_allowed'
  | 'destination_not_allowed'
  | 'port_not_allowed'
  | 'url_too_long';

export type UrlCheck = { ok: true; url: string } | { ok: false; code: UrlPolicyCode; message: string };

export interface UrlPolicyOptions {
  /** Development/test escape hatch: allow `http`, private and loopback destinations, any port. */
  allowPrivate: boolean;
}

/** Names (after lower-casing and dropping a trailing dot) that never denote a public endpoint. */
const BLOCKED_NAMES = ['localhost', 'localhost.localdomain'];
const BLOCKED_SUFFIXES = ['localhost', 'local', 'localdomain', 'internal', 'arpa', 'onion'];

/** Ports of system services below 1024 are refused, except the web ports. */
const isAllowedPort = (port: number): boolean => port === 80 || port === 443 || port >= 1024;

const fail = (code: UrlPolicyCode, message: string): UrlCheck => ({ ok: false, code, message });

/** Why a host name is refused before any DNS lookup, or undefined when it may be resolved. */
export function blockedHostName(hostname: string): string | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (BLOCKED_NAMES.includes(name)) return `${name} is a local name`;
  const suffix = BLOCKED_SUFFIXES.find((s) => name.endsWith(`.${s}`) || name === s);
  if (suffix) return `names under .${suffix} are not public`;
  if (!name.includes('.')) return 'single-label host names are not public';
  return undefined;
}

function checkHostSyntax(hostname: string): string | undefined {
  if (hostname.startsWith('[')) return undefined;
  const name = hostname.replace(/\.$/, '');
  if (name.length > 253) return 'the host name is longer than 253 characters';
  const labels = name.split('.');
  if (labels.some((label) => label.length === 0)) return 'the host name has an empty label';
  if (labels.some((label) => label.length > 63)) return 'a host name label is longer than 63 characters';
  if (!/^[a-z0-9._-]+$/.test(name)) return 'the host name contains characters not allowed in DNS names';
  return undefined;
}

/**
 * Validates and normalises a webhook URL. Returns the normalised URL string (punycode host,
 * canonical IPv4/IPv6, default port dropped) or a policy code with a human message.
 */
export function checkWebhookUrl(raw: string, options: UrlPolicyOptions): UrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return fail('invalid_url', 'url must be a non-empty URL');
  if (raw.length > MAX_URL_LENGTH)
    return fail('url_too_long', `url is longer than ${MAX_URL_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0020\u007f\\]/.test(raw))
    return fail('invalid_url', 'url must not contain spaces, control characters or backslashes');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (!scheme) return fail('invalid_url', 'url must be an absolute URL such as https://example.com/hook');
  const schemes = options.allowPrivate ? ['https', 'http'] : ['https'];
  if (!schemes.includes(scheme))
    return fail('scheme_not_allowed', `url scheme "${scheme}" is not allowed; use ${schemes.join(' or ')}`);
  if (!raw.slice(scheme.length).startsWith('://'))
    return fail('invalid_url', `url must start with ${scheme}://`);
  if (raw.includes('#')) return fail('invalid_url', 'url must not contain a fragment (#…)');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('invalid_url', 'url is not a valid URL');
  }
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?]*@/i.test(raw))
    return fail('credentials_not_allowed', 'url must not contain credentials (user:password@)');
  const syntax = checkHostSyntax(url.hostname);
  if (syntax) return fail('invalid_url', `url host is not valid: ${syntax}`);
  if (url.port === '0' || (!options.allowPrivate && url.port !== '' && !isAllowedPort(Number(url.port))))
    return fail('port_not_allowed', `url port ${url.port} is not allowed; use 443, 80 or a port from 1024`);
  if (!options.allowPrivate) {
    const reason = destinationProblem(url.hostname);
    if (reason) return fail('destination_not_allowed', `url destination is not allowed: ${reason}`);
  }
  if (url.href.length > MAX_URL_LENGTH)
    return fail('url_too_long', `url is longer than ${MAX_URL_LENGTH} characters once normalised`);
  return { ok: true, url: url.href };
}

/** Why a parsed host (name or IP literal) may not be a destination, or undefined. */
function destinationProblem(hostname: string): string | undefined {
  if (isIpLiteral(hostname)) {
    const verdict = checkAddress(hostname);
    return verdict.allowed ? undefined : `${hostname} is ${verdict.reason}`;
  }
  return blockedHostName(hostname);
}
