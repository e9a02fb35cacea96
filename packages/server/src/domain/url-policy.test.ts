import { describe, expect, it } from 'vitest';
import { blockedHostName, checkWebhookUrl, type UrlPolicyCode } from './url-policy.ts';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

const ACCEPTED: readonly [string, string][] = [
  ['https://example.com/hook', 'https://example.com/hook'],
  ['https://hooks.example.com', 'https://hooks.example.com/'],
  ['HTTPS://Hooks.Example.COM:443/In?x=1', 'https://hooks.example.com/In?x=1'],
  ['https://example.com:8443/hook', 'https://example.com:8443/hook'],
  ['https://8.8.8.8/hook', 'https://8.8.8.8/hook'],
  ['https://[2606:4700:4700::1111]/x', 'https://[2606:4700:4700::1111]/x'],
  ['https://exаmple.com/', 'https://xn--exmple-4nf.com/'],
  ['https://xn--80ak6aa92e.com/', 'https://xn--80ak6aa92e.com/'],
  ['https://bücher.example/path', 'https://xn--bcher-kva.example/path'],
  ['https://example.com/a%20b?q=%0a', 'https://example.com/a%20b?q=%0a'],
  ['https://example.com./hook', 'https://example.com./hook'],
];

const REJECTED: readonly [string, UrlPolicyCode][] = [
  ['', 'invalid_url'],
  ['not a url', 'invalid_url'],
  ['https//x', 'invalid_url'],
  ['https:/x', 'invalid_url'],
  ['//example.com/hook', 'invalid_url'],
  ['example.com/hook', 'invalid_url'],
  ['https://', 'invalid_url'],
  ['https://a..com/', 'invalid_url'],
  ['https://xn--a.com/', 'invalid_url'],
  ['https://1.2.3.4.5/', 'invalid_url'],
  ['https://[fe80::1%25lo]/', 'invalid_url'],
  ['https://example.com/#frag', 'invalid_url'],
  ['https://a.com/\r\nX-Evil: 1', 'invalid_url'],
  ['https://a.com/\tx', 'invalid_url'],
  ['https://a.com/x y', 'invalid_url'],
  ['https://a.com/\u0000', 'invalid_url'],
  [' https://a.com/', 'invalid_url'],
  ['https://a.com/ ', 'invalid_url'],
  ['https://example.com\\@127.0.0.1/', 'invalid_url'],
  ['javascript:alert(1)', 'scheme_not_allowed'],
  ['file:///etc/passwd', 'scheme_not_allowed'],
  ['ftp://example.com/', 'scheme_not_allowed'],
  ['gopher://example.com/', 'scheme_not_allowed'],
  ['data:text/plain,hi', 'scheme_not_allowed'],
  ['ws://example.com/', 'scheme_not_allowed'],
  ['wss://example.com/', 'scheme_not_allowed'],
  ['dict://example.com/', 'scheme_not_allowed'],
  ['http://example.com/hook', 'scheme_not_allowed'],
  ['https://user:pass@example.com/', 'credentials_not_allowed'],
  ['https://user@example.com/', 'credentials_not_allowed'],
  ['https://@example.com/', 'credentials_not_allowed'],
  ['https://example.com@127.0.0.1/', 'credentials_not_allowed'],
  ['https://example.com:22/', 'port_not_allowed'],
  ['https://example.com:25/', 'port_not_allowed'],
  ['https://example.com:0/', 'port_not_allowed'],
  ['https://example.com:65536/', 'invalid_url'],
  ['https://example.com:abc/', 'invalid_url'],
  [`https://example.com/${'a'.repeat(2048)}`, 'url_too_long'],
  ['https://127.0.0.1/', 'destination_not_allowed'],
  ['https://[::1]/', 'destination_not_allowed'],
  ['https://169.254.169.254/latest/meta-data', 'destination_not_allowed'],
  ['https://2130706433/', 'destination_not_allowed'],
  ['https://0x7f000001/', 'destination_not_allowed'],
  ['https://0x7f.1/', 'destination_not_allowed'],
  ['https://0177.0.0.1/', 'destination_not_allowed'],
  ['https://017700000001/', 'destination_not_allowed'],
  ['https://127.1/', 'destination_not_allowed'],
  ['https://127.0.1/', 'destination_not_allowed'],
  ['https://0/', 'destination_not_allowed'],
  ['https://0.0.0.0/', 'destination_not_allowed'],
  ['https://[::]/', 'destination_not_allowed'],
  ['https://[0:0:0:0:0:0:0:1]/', 'destination_not_allowed'],
  ['https://[::ffff:127.0.0.1]/', 'destination_not_allowed'],
  ['https://[0:0:0:0:0:ffff:127.0.0.1]/', 'destination_not_allowed'],
  ['https://[::ffff:7f00:1]/', 'destination_not_allowed'],
  ['https://[::ffff:169.254.169.254]/', 'destination_not_allowed'],
  ['https://[64:ff9b::7f00:1]/', 'destination_not_allowed'],
  ['https://[64:ff9b::a9fe:a9fe]/', 'destination_not_allowed'],
  ['https://[2002:7f00:1::]/', 'destination_not_allowed'],
  ['https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'destination_not_allowed'],
  ['https://[fd00:ec2::254]/', 'destination_not_allowed'],
  ['https://[ff02::1]/', 'destination_not_allowed'],
  ['https://10.0.0.5/', 'destination_not_allowed'],
  ['https://100.100.100.200/', 'destination_not_allowed'],
  ['https://localhost/', 'destination_not_allowed'],
  ['https://LOCALHOST/', 'destination_not_allowed'],
  ['https://localhost./', 'destination_not_allowed'],
  ['https://foo.localhost/', 'destination_not_allowed'],
  ['https://LocalHost.LocalDomain/', 'destination_not_allowed'],
  ['https://printer.local/', 'destination_not_allowed'],
  ['https://metadata.google.internal/', 'destination_not_allowed'],
  ['https://router.home.arpa/', 'destination_not_allowed'],
  ['https://1.0.0.127.in-addr.arpa/', 'destination_not_allowed'],
  ['https://intranet/', 'destination_not_allowed'],
];

describe('checkWebhookUrl (strict)', () => {
  it.each(ACCEPTED)('accepts %s as %s', (raw, normalised) => {
    expect(checkWebhookUrl(raw, strict)).toEqual({ ok: true, url: normalised });
  });

  it.each(REJECTED)('rejects %j with %s', (raw, code) => {
    const result = checkWebhookUrl(raw, strict);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message).toMatch(/^url /);
    }
  });

  it('names the scheme that was refused', () => {
    const result = checkWebhookUrl('gopher://example.com/', strict);
    expect(!result.ok && result.message).toContain('"gopher"');
  });

  it('rejects a URL that only grows past the limit once punycoded', () => {
    const raw = `https://example.com/${'ü'.repeat(500)}`;
    expect(raw.length).toBeLessThanOrEqual(2048);
    const result = checkWebhookUrl(raw, strict);
    expect(!result.ok && result.code).toBe('url_too_long');
  });
});

describe('checkWebhookUrl (allowPrivate)', () => {
  it.each([
    ['http://127.0.0.1:4000/hook', 'http://127.0.0.1:4000/hook'],
    ['http://localhost:3000/x', 'http://localhost:3000/x'],
    ['https://[::1]:8443/', 'https://[::1]:8443/'],
    ['https://10.0.0.5:22/', 'https://10.0.0.5:22/'],
    ['http://2130706433/', 'http://127.0.0.1/'],
  ])('accepts %s', (raw, normalised) => {
    expect(checkWebhookUrl(raw, lenient)).toEqual({ ok: true, url: normalised });
  });

  it.each([
    ['ftp://127.0.0.1/', 'scheme_not_allowed'],
    ['http://u:p@127.0.0.1/', 'credentials_not_allowed'],
    ['http://127.0.0.1:0/', 'port_not_allowed'],
    ['http://127.0.0.1/#x', 'invalid_url'],
  ] as const)('still rejects %s', (raw, code) => {
    const result = checkWebhookUrl(raw, lenient);
    expect(!result.ok && result.code).toBe(code);
  });
});

describe('blockedHostName', () => {
  it.each([
    ['example.com', undefined],
    ['api.example.co.uk', undefined],
    ['localhost', 'local name'],
    ['a.b.localhost.', '.localhost'],
    ['service', 'single-label'],
  ])('%s → %s', (host, reason) => {
    const result = blockedHostName(host);
    if (reason === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(reason);
  });
});
