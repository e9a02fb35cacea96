import { describe, expect, it } from 'vitest';
import { type LookupFn, resolveAndCheckHost } from './destination-guard.ts';

const stub =
  (table: Record<string, string[]>): LookupFn =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const lookup = stub({
  'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'inside.example': ['10.0.0.5'],
  'loop6.example': ['::1'],
  'mixed.example': ['93.184.216.34', '127.0.0.1'],
  'mapped.example': ['::ffff:169.254.169.254'],
});

describe('resolveAndCheckHost', () => {
  it.each([
    ['inside.example', '10.0.0.5'],
    ['loop6.example', '::1'],
    ['mixed.example', '127.0.0.1'],
    ['mapped.example', '::ffff:169.254.169.254'],
  ])('blocks %s because it resolves to %s', async (host, address) => {
    const result = await resolveAndCheckHost(host, { allowPrivate: false, lookup });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('destination_not_allowed');
      expect(result.message).toContain(address);
    }
  });

  it('accepts a host whose every address is public', async () => {
    const result = await resolveAndCheckHost('public.example', { allowPrivate: false, lookup });
    expect(result).toEqual({
      ok: true,
      resolved: true,
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    });
  });

  it('does not block saving when DNS fails', async () => {
    const result = await resolveAndCheckHost('nowhere.example', { allowPrivate: false, lookup });
    expect(result).toEqual({ ok: true, addresses: [], resolved: false });
  });

  it('treats a lookup that hangs like a DNS failure', async () => {
    const hang: LookupFn = () => new Promise(() => {});
    const result = await resolveAndCheckHost('slow.example', {
      allowPrivate: false,
      lookup: hang,
      timeoutMs: 20,
    });
    expect(result).toEqual({ ok: true, addresses: [], resolved: false });
  });

  it.each(['127.0.0.1', '[::1]', '[::ffff:7f00:1]', '169.254.169.254'])(
    'blocks the literal %s without a lookup',
    async (host) => {
      const never: LookupFn = () => Promise.reject(new Error('must not be called'));
      const result = await resolveAndCheckHost(host, { allowPrivate: false, lookup: never });
      expect(result.ok).toBe(false);
    },
  );

  it.each(['localhost', 'metadata.google.internal', 'printer.local'])(
    'blocks the name %s before resolving',
    async (host) => {
      const result = await resolveAndCheckHost(host, { allowPrivate: false, lookup });
      expect(result.ok).toBe(false);
    },
  );

  it('lets everything through when private targets are allowed', async () => {
    expect((await resolveAndCheckHost('inside.example', { allowPrivate: true, lookup })).ok).toBe(true);
    expect((await resolveAndCheckHost('[::1]', { allowPrivate: true, lookup })).ok).toBe(true);
  });
});
