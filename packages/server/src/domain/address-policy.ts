// The address policy (SSRF guard): which IPv4/IPv6 addresses a delivery may connect to. Only public
// unicast passes; IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by it.
// Pure: parses the textual address itself, no DNS.

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

interface Range {
  /** Network address as a number (IPv4) or bigint (IPv6). */
  base: bigint;
  bits: number;
  reason: string;
}

const BLOCKED_V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

/** Blocked ranges inside 2000::/3 (everything outside 2000::/3 is not global unicast). */
const BLOCKED_V6: readonly [string, number, string][] = [
  ['2001::', 23, 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
];

const V4_RANGES: Range[] = BLOCKED_V4.map(([address, bits, reason]) => ({
  base: BigInt(parseIPv4(address)!),
  bits,
  reason,
}));
const V6_RANGES: Range[] = BLOCKED_V6.map(([address, bits, reason]) => ({
  base: parseIPv6(address)!,
  bits,
  reason,
}));

const inRange = (value: bigint, range: Range, width: number): boolean =>
  value >> BigInt(width - range.bits) === range.base >> BigInt(width - range.bits);

/** Parses dotted-quad IPv4 (four decimal parts, no leading zeros) into a 32-bit number. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Parses an IPv6 address (with `::`, an embedded dotted quad, brackets or a zone id) into 128 bits. */
export function parseIPv6(text: string): bigint | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(body)) return undefined;
  if (body.includes('.')) {
    const lastColon = body.lastIndexOf(':');
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === undefined || lastColon < 0) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 2 && known > 7) return undefined;
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - known).fill(0), ...rest] : head;
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** The verdict for a 32-bit IPv4 address. */
function judgeIPv4(value: number): AddressVerdict {
  const v = BigInt(value);
  for (const range of V4_RANGES) {
    if (inRange(v, range, 32)) return { allowed: false, reason: range.reason };
  }
  return { allowed: true };
}

const embedded = (value: bigint, shift: number): number => Number((value >> BigInt(shift)) & 0xffffffffn);

/** The verdict for a 128-bit IPv6 address. */
function judgeIPv6(value: bigint): AddressVerdict {
  const top = (bits: number) => value >> BigInt(128 - bits);
  if (value === 0n) return { allowed: false, reason: 'unspecified' };
  if (value === 1n) return { allowed: false, reason: 'loopback' };
  const embeddedVerdict = (shift: number, form: string): AddressVerdict => {
    const verdict = judgeIPv4(embedded(value, shift));
    return verdict.allowed ? verdict : { allowed: false, reason: `${form} of ${verdict.reason}` };
  };
  if (top(96) === 0xffffn) return embeddedVerdict(0, 'IPv4-mapped form');
  if (top(96) === 0x64ff9b0000000000000000n) return embeddedVerdict(0, 'NAT64 form');
  if (top(16) === 0x2002n) return embeddedVerdict(80, '6to4 form');
  if (top(96) === 0n) return { allowed: false, reason: 'IPv4-compatible (deprecated)' };
  if (top(3) !== 1n) return { allowed: false, reason: describeNonGlobal(value) };
  for (const range of V6_RANGES) {
    if (inRange(value, range, 128)) return { allowed: false, reason: range.reason };
  }
  return { allowed: true };
}

function describeNonGlobal(value: bigint): string {
  const top16 = Number(value >> 112n);
  if ((top16 & 0xff00) === 0xff00) return 'multicast';
  if ((top16 & 0xffc0) === 0xfe80) return 'link-local';
  if ((top16 & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((top16 & 0xfe00) === 0xfc00) return 'unique local (ULA)';
  if (top16 === 0x0100 && value >> 64n === 0x0100000000000000n) return 'discard-only';
  if (top16 === 0x0064) return 'NAT64 (local use)';
  return 'not global unicast';
}

/** Judges a textual IP address (IPv4 dotted quad, or IPv6 with or without brackets/zone). */
export function checkAddress(address: string): AddressVerdict {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return judgeIPv4(v4);
  const v6 = parseIPv6(address);
  if (v6 !== undefined) return judgeIPv6(v6);
  return { allowed: false, reason: 'not an IP address' };
}

/** True when the address is public unicast and may be connected to. */
export const isPublicAddress = (address: string): boolean => checkAddress(address).allowed;

/** True when the text is an IP literal (IPv4 dotted quad or IPv6, bracketed or not). */
export const isIpLiteral = (host: string): boolean =>
  parseIPv4(host) !== undefined || parseIPv6(host) !== undefined;
