import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { databasePoolSize } from './pool-size.ts';

describe('databasePoolSize', () => {
  it('is sized for the role when KLANG_DATABASE_POOL_SIZE is unset', () => {
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'api' }))).toBe(10);
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'worker' }))).toBe(12);
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'worker', KLANG_WORKER_CONCURRENCY: '1' }))).toBe(5);
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'worker', KLANG_WORKER_CONCURRENCY: '512' }))).toBe(36);
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'all' }))).toBe(22);
  });

  it('takes KLANG_DATABASE_POOL_SIZE as given, whatever the role', () => {
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'worker', KLANG_DATABASE_POOL_SIZE: '3' }))).toBe(3);
    expect(databasePoolSize(loadConfig({ KLANG_ROLE: 'api', KLANG_DATABASE_POOL_SIZE: '40' }))).toBe(40);
  });

  it.each(['0', '-1', 'ten', '1001', '2.5'])(
    'refuses KLANG_DATABASE_POOL_SIZE=%s naming the variable',
    (raw) => {
      const load = () => loadConfig({ KLANG_DATABASE_POOL_SIZE: raw });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(
        `KLANG_DATABASE_POOL_SIZE="${raw}" is not valid: expected an integer from 1 to 1000`,
      );
    },
  );
});
