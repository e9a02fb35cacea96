import { describe, expect, it } from 'vitest';
import { readableBody, storableText, storedBody } from './response-body.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('response body storage', () => {
  it.each([
    ['plain text', utf8('ok'), 'utf8', 'ok'],
    ['multi-byte text', utf8('grüße ✓'), 'utf8', 'grüße ✓'],
    ['empty', bytes(), 'utf8', ''],
    ['a NUL byte', bytes(0x61, 0x00, 0x62), 'base64', 'a␀b'],
    ['invalid UTF-8', bytes(0x61, 0xff, 0x62), 'base64', 'a\ufffdb'],
    ['a lone continuation byte', bytes(0x80), 'base64', '\ufffd'],
  ] as const)('keeps %s as %s and shows it readably', (_name, body, encoding, shown) => {
    const stored = storedBody(body, false);
    expect(stored.encoding).toBe(encoding);
    expect(readableBody(stored)).toBe(shown);
    if (encoding === 'base64') expect(Buffer.from(stored.text, 'base64')).toEqual(Buffer.from(body));
  });

  it('drops a character cut in half by truncation instead of storing the body as bytes', () => {
    const whole = utf8('ab✓'); // ✓ is three bytes
    for (const cut of [3, 4]) {
      expect(storedBody(whole.subarray(0, cut), true)).toEqual({ text: 'ab', encoding: 'utf8' });
    }
    expect(storedBody(whole.subarray(0, 4), false).encoding).toBe('base64');
  });

  it('makes any text storable', () => {
    expect(storableText('a\u0000b')).toBe('a␀b');
    expect(storableText('plain')).toBe('plain');
  });
});
