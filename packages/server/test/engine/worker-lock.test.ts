import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/engine/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

describe('one delivery worker per SQLite database', () => {
  let t: TestApp;
  let lockFile: string;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    lockFile = `${t.database.file}.worker.lock`;
  });
  afterAll(() => t.dispose());

  it('refuses a second worker while the first runs, and frees the lock when it stops', async () => {
    const first = await startEngine(t.container);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    await expect(startEngine(t.container)).rejects.toThrow(
      /another delivery worker \(in this process\) is running/,
    );
    await first.stop();
    expect(existsSync(lockFile)).toBe(false);
    const again = await startEngine(t.container);
    await again.stop();
  });

  it('refuses while another live process holds the lock', async () => {
    writeFileSync(lockFile, `${process.ppid}\n`);
    await expect(startEngine(t.container)).rejects.toThrow(new RegExp(`pid ${process.ppid}`));
  });

  it('takes over the lock of a process that no longer runs', async () => {
    writeFileSync(lockFile, '999999999\n');
    const engine = await startEngine(t.container);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    await engine.stop();
  });
});
