// A real Prometheus (Debian's `prometheus` binary) for tests of the deployment's monitoring: it scrapes
// the given processes every second under the job and role labels of deploy/prometheus/prometheus.yml,
// evaluates the shipped alert rules, and is queried over its HTTP API.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { waitFor } from '../engine/support/receiver.ts';
import { freePort } from './free-port.ts';

const ALERT_RULES = fileURLToPath(new URL('../../../../deploy/prometheus/alerts.yml', import.meta.url));

export const hasPrometheus = () => spawnSync('prometheus', ['--version']).status === 0;

export interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface Prometheus {
  url: string;
  /** The alerts pending or firing now. */
  alerts(): Promise<Alert[]>;
  /** An instant query: each result's labels and value. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  close(): Promise<void>;
}

/** `targets` by role, as host:port of each process's metrics endpoint. */
export async function startPrometheus(targets: Record<'api' | 'worker', string[]>): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'klang-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [ALERT_RULES],
    scrape_configs: [
      {
        job_name: 'klang-webhooks',
        static_configs: Object.entries(targets).map(([role, hosts]) => ({
          targets: hosts,
          labels: { role },
        })),
      },
    ],
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${JSON.stringify(body)}`);
    return body.data;
  };
  const prometheus: Prometheus = {
    url,
    alerts: async () => (await api<{ alerts: Alert[] }>('alerts')).alerts,
    async query(expr) {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitFor(
    async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200,
    20_000,
    'prometheus ready',
  );
  return prometheus;
}
