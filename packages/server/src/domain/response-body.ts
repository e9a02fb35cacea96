// How a receiver's answer is kept in the attempt log: a body of valid UTF-8 without NUL as text, any
// other bytes as base64 (flagged), so every database can store it; and the readable form shown. Pure.

export type BodyEncoding = 'utf8' | 'base64';

export interface StoredBody {
  text: string;
  encoding: BodyEncoding;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
/** Shown in place of a NUL byte (U+2400 SYMBOL FOR NULL). */
const NUL_SYMBOL = '\u2400';

/** Bytes of an incomplete UTF-8 sequence at the end (a body cut at the read cap), 0 when none. */
function partialTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** The stored form of a response body; a truncated body loses a character cut in half at its end. */
export function storedBody(bytes: Uint8Array, truncated: boolean): StoredBody {
  const kept = truncated ? bytes.subarray(0, bytes.length - partialTail(bytes)) : bytes;
  if (!kept.includes(0)) {
    try {
      return { text: strict.decode(kept), encoding: 'utf8' };
    } catch {
      // Not UTF-8: kept exactly, as base64.
    }
  }
  return { text: Buffer.from(kept).toString('base64'), encoding: 'base64' };
}

/** The body as text for display: invalid bytes as U+FFFD, NUL as ␀. */
export function readableBody(stored: StoredBody): string {
  if (stored.encoding === 'utf8') return stored.text;
  return lenient.decode(Buffer.from(stored.text, 'base64')).replaceAll('\u0000', NUL_SYMBOL);
}

/** Text any database column accepts: NUL (refused by PostgreSQL) shown as ␀. */
export const storableText = (text: string): string => text.replaceAll('\u0000', NUL_SYMBOL);
