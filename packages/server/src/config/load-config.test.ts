import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from './config-docs.ts';
import { ConfigError, loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: 'sqlite:data/klang.db',
      host: '127.0.0.1',
      port: 3000,
      role: 'all',
      allowPrivateTargets: false,
      retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
      autoPauseAfter: 25,
      deliveryTimeoutMs: 15_000,
      connectTimeoutMs: 5_000,
      retentionMs: 30 * 86_400_000,
      logLevel: 'info',
    });
    expect(config.secretKey).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads values and aliases', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({
      DATABASE_URL: 'postgres://x@h/db',
      PORT: '8080',
      KLANG_SECRET_KEY: key,
      KLANG_RETRY_SCHEDULE: '10ms,1s',
    });
    expect(config.databaseUrl).toBe('postgres://x@h/db');
    expect(config.port).toBe(8080);
    expect(config.secretKey?.toString('hex')).toBe(key);
    expect(config.retrySchedule).toEqual([10, 1000]);
    expect(loadConfig({ KLANG_RETRY_SCHEDULE: 'none' }).retrySchedule).toEqual([]);
    expect(loadConfig({ KLANG_PORT: '1', PORT: '2' }).port).toBe(1);
    expect(loadConfig({ KLANG_DATA_DIR: '/var/klang' }).databaseUrl).toBe('sqlite:/var/klang/klang.db');
    expect(loadConfig({ KLANG_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey).toEqual(
      Buffer.alloc(32, 7),
    );
  });

  it('reads KLANG_TRUST_PROXY as off, a hop count or proxy addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ KLANG_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ KLANG_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ KLANG_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toBe(
      '10.0.0.1,192.168.0.0/16',
    );
    expect(() => loadConfig({ KLANG_TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
  });

  it.each([
    ['KLANG_TRUST_PROXY', 'maybe'],
    ['KLANG_PORT', '70000'],
    ['KLANG_PORT', 'abc'],
    ['KLANG_ROLE', 'leader'],
    ['KLANG_RETRY_SCHEDULE', '5s,soon'],
    ['KLANG_DELIVERY_TIMEOUT', '15'],
    ['KLANG_ALLOW_PRIVATE_TARGETS', 'maybe'],
    ['KLANG_LOG_LEVEL', 'loud'],
  ])('rejects %s=%s with one line naming the variable and what is allowed', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${name}=.* is not valid: expected .+`));
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it.each([
    ['KLANG_DATABASE_URL', 'mysql://admin:hunter2@db/x'],
    ['KLANG_SECRET_KEY', 'hunter2-short'],
    ['KLANG_INGEST_TOKEN', 'hunter2-short'],
  ])('rejects a bad secret %s naming the variable, never its value', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toMatch(
      new RegExp(`^${name} is not valid \\(value not shown\\): expected .+`),
    );
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('keeps docs/config.md in step with the schema (run `npm run docs` after changing options)', () => {
    const committed = readFileSync(new URL('../../../../docs/config.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });
});
