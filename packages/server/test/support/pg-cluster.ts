// A PostgreSQL cluster of its own for tests that stop and start the database: initdb into a temporary
// directory, a free port on 127.0.0.1, pg_ctl to start and stop it. The shared server is never touched.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server binaries (initdb, pg_ctl), or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a));
  const dir = versions.map((v) => join(PG_ROOT, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  return dir;
}

const isRoot = () => process.getuid?.() === 0;

/** initdb refuses to run as root: run the server tools as the postgres user then. */
function runAsOwner(bin: string, args: string[]) {
  const [command, fullArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(command, fullArgs, { stdio: 'pipe', timeout: 60_000 });
}

export interface PgCluster {
  url: string;
  start(): void;
  stop(): void;
  destroy(): void;
}

export async function createPgCluster(binDir: string): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'klang-pg-'));
  if (isRoot()) {
    chmodSync(dir, 0o700);
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  runAsOwner(join(binDir, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (...args: string[]) => runAsOwner(join(binDir, 'pg_ctl'), ['-D', data, ...args]);
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => pgCtl('-o', options, '-l', join(dir, 'server.log'), '-w', 'start'),
    stop: () => pgCtl('-m', 'fast', '-w', 'stop'),
    destroy() {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
