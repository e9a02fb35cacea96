// Child processes of the benchmark: the receiver, service processes (any role) and the CLI, plus
// what /proc says about them (peak RSS, CPU seconds). Every wait has a deadline.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let serviceRepo = REPO;
let BIN = join(REPO, 'packages', 'server', 'bin', 'klang-webhooks.mjs');

/** Runs the service from another checkout (e.g. a worktree of a given commit); returns its identity. */
export function useServiceRepo(dir) {
  serviceRepo = dir;
  BIN = join(dir, 'packages', 'server', 'bin', 'klang-webhooks.mjs');
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'packages/server/src');
    return {
      dir,
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommittedSrc: dirty ? dirty.split('\n') : [],
    };
  } catch {
    return { dir, commit: null, uncommittedSrc: null };
  }
}

/** Resolves with the first match of `pattern` in the child's stdout, or rejects at the deadline. */
function waitForLine(child, pattern, label, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => fail(new Error(`${label}: not ready after ${timeoutMs} ms\n${out}${err}`)),
      timeoutMs,
    );
    const onOut = (chunk) => {
      out += chunk;
      const match = out.match(pattern);
      if (match) done(match);
    };
    const onErr = (chunk) => {
      err += chunk;
    };
    const onExit = (code) => fail(new Error(`${label} exited with ${code}\n${out}${err}`));
    function done(match) {
      clearTimeout(timer);
      child.stdout.off('data', onOut);
      child.off('exit', onExit);
      resolve(match);
    }
    function fail(error) {
      clearTimeout(timer);
      child.stdout.off('data', onOut);
      child.off('exit', onExit);
      reject(error);
    }
    child.stdout.setEncoding('utf8').on('data', onOut);
    child.stderr.setEncoding('utf8').on('data', onErr);
    child.on('exit', onExit);
  });
}

function keepDraining(child) {
  child.stdout.resume();
  child.stderr.on('data', (chunk) => process.stderr.write(`[${child.pid}] ${chunk}`));
}

export async function startReceiver({ ports = 4, delayMs = 0 } = {}) {
  const args = [join(REPO, 'bench', 'receiver.mjs'), '--ports', String(ports), '--delay-ms', String(delayMs)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const match = await waitForLine(child, /\{"ports":\[[\d,]+\]\}/, 'receiver');
  keepDraining(child);
  return { child, ports: JSON.parse(match[0]).ports };
}

/** Starts the BullMQ peer's worker process; resolves once it is consuming its queue. */
export async function startPeerWorker({ queue, redisUrl, concurrency, nodeArgs = [] }) {
  const script = join(REPO, 'bench', 'peer-bullmq.mjs');
  const args = [
    ...nodeArgs,
    script,
    '--queue',
    queue,
    '--redis',
    redisUrl,
    '--concurrency',
    String(concurrency),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(child, /\{"ready":true\}/, 'BullMQ peer');
  keepDraining(child);
  return { child, role: 'peer' };
}

/** Environment of one benchmark deployment (secrets are random per run). */
export function serviceEnv({ databaseUrl, dataDir, extra = {} }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KLANG_DATABASE_URL: databaseUrl,
    KLANG_DATA_DIR: dataDir,
    KLANG_SECRET_KEY: randomBytes(32).toString('hex'),
    KLANG_INGEST_TOKEN: `bench_${randomBytes(16).toString('hex')}`,
    KLANG_PORT: '0',
    KLANG_ALLOW_PRIVATE_TARGETS: 'true',
    KLANG_LOG_LEVEL: 'warn',
    KLANG_DEMO: 'false',
    KLANG_SHUTDOWN_TIMEOUT: '2s',
    // As npm start, the Dockerfile and the systemd units set it (two malloc arenas, not one per thread).
    MALLOC_ARENA_MAX: '2',
    ...extra,
  };
}

/** Node's options for the service, as `npm start`, the Dockerfile and the systemd units give them. */
const SERVICE_NODE_ARGS = ['--max-semi-space-size=4'];

/** Starts `serve --role <role>`; resolves once it printed its start line (with the URL for api/all). */
export async function startService(env, role, { nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...nodeArgs, BIN, 'serve', '--role', role], {
    cwd: serviceRepo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pattern = role === 'worker' ? /worker started/ : /running at (http:\/\/\S+)/;
  const match = await waitForLine(child, pattern, `service (${role})`);
  keepDraining(child);
  return { child, role, url: match[1] };
}

/** Runs the CLI once and returns its stdout. */
export function cli(env, args, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`klang-webhooks ${args.join(' ')} exited with ${code}: ${err}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within the deadline. */
export async function stop(child, timeoutMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)

/** Peak and current RSS (MiB) and CPU seconds used so far, from /proc. */
export function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1] ?? 0);
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return {
      peakRssMiB: Math.round(kb('VmHWM') / 1024),
      rssMiB: Math.round(kb('VmRSS') / 1024),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICK,
    };
  } catch {
    return { peakRssMiB: null, rssMiB: null, cpuSeconds: null };
  }
}

/** CPU seconds used so far by every process whose command line contains `needle` (e.g. PG backends). */
export function cpuSecondsMatching(needle) {
  const perPid = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) continue;
      perPid.set(pid, procStats(pid).cpuSeconds ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return perPid;
}
