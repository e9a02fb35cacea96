// The deployment kit (Dockerfile, deploy/) checked as far as this machine can without a container
// engine: YAML parses with the expected services, alert rules name metrics the service exports and
// pass their promtool unit tests, the Dockerfile's shape and paths, systemd units verified by
// systemd-analyze, hadolint if present.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../src/metrics.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const readYaml = (file: string) => parse(readFileSync(join(DEPLOY, file), 'utf8'), { merge: true });
const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  image?: string;
}

describe('deployment kit', () => {
  it('compose.yaml: PostgreSQL, a migration, two api and two worker processes behind nginx', () => {
    const compose = readYaml('compose.yaml') as { services: Record<string, Service> };
    const { services } = compose;
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'migrate', 'api1', 'api2', 'worker1', 'worker2', 'lb']),
    );
    for (const name of ['api1', 'api2']) expect(services[name]?.command).toEqual(['serve', '--role', 'api']);
    for (const name of ['worker1', 'worker2'])
      expect(services[name]?.command).toEqual(['serve', '--role', 'worker']);
    for (const name of ['migrate', 'api1', 'api2', 'worker1', 'worker2']) {
      const environment = services[name]?.environment ?? {};
      expect(environment.KLANG_DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(environment.KLANG_METRICS_PORT).toBe('9090');
      expect(environment.KLANG_SECRET_KEY).toMatch(/^\$\{KLANG_SECRET_KEY:\?/);
    }
    // Files mounted from deploy/ exist.
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(DEPLOY, source)), source).toBe(true);
      }
    }
    const nginx = readFileSync(join(DEPLOY, 'nginx/nginx.conf'), 'utf8');
    expect(nginx).toMatch(/server api1:3000/);
    expect(nginx).toMatch(/server api2:3000/);
    const prometheus = readYaml('prometheus/prometheus.yml');
    const targets = JSON.stringify(prometheus.scrape_configs);
    for (const target of ['api1:9090', 'api2:9090', 'worker1:9090', 'worker2:9090'])
      expect(targets).toContain(target);
  });

  it('alerts.yml: queue age, failure rate and no workers, on metrics the service exports', async () => {
    const alerts = readYaml('prometheus/alerts.yml') as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = alerts.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'KlangQueueBacklog',
        'KlangNoWorkers',
        'KlangWorkerDown',
        'KlangHighFailureRate',
      ]),
    );
    const exported = new Set(
      (await createMetrics().registry.getMetricsAsJSON()).flatMap((metric) => [
        metric.name,
        `${metric.name}_bucket`,
        `${metric.name}_count`,
        `${metric.name}_sum`,
      ]),
    );
    for (const rule of rules) {
      for (const name of rule.expr.match(/\bklang_[a-z_]+/g) ?? []) {
        expect(exported.has(name), `${rule.alert} uses ${name}`).toBe(true);
      }
    }
  });

  it('operations.md documents every metric the service exports', async () => {
    const operations = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const own = (await createMetrics().registry.getMetricsAsJSON())
      .map((metric) => metric.name)
      .filter((name) => !name.startsWith('klang_process_') && !name.startsWith('klang_nodejs_'));
    expect(own.length).toBeGreaterThan(10);
    for (const name of own) expect(operations, name).toContain(`| \`${name}\` |`);
  });

  it.skipIf(!has('promtool'))(
    has('promtool')
      ? 'promtool: the rules and scrape configuration are valid, and the alerts fire and stay quiet as their unit tests say'
      : 'promtool (skipped: not installed; Debian package prometheus)',
    () => {
      const promtool = (...args: string[]) => spawnSync('promtool', args, { encoding: 'utf8' });
      const rules = promtool('check', 'rules', join(DEPLOY, 'prometheus/alerts.yml'));
      expect(rules.status, rules.stdout + rules.stderr).toBe(0);
      // The compose file mounts the rules at /etc/prometheus; checked here at their place in deploy/.
      const dir = mkdtempSync(join(tmpdir(), 'klang-prometheus-'));
      try {
        const config = readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8');
        expect(config).toContain('/etc/prometheus/alerts.yml');
        writeFileSync(
          join(dir, 'prometheus.yml'),
          config.replace('/etc/prometheus/alerts.yml', join(DEPLOY, 'prometheus/alerts.yml')),
        );
        const checked = promtool('check', 'config', join(dir, 'prometheus.yml'));
        expect(checked.status, checked.stdout + checked.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const tested = promtool('test', 'rules', join(DEPLOY, 'prometheus/alerts.test.yml'));
      expect(tested.status, tested.stdout + tested.stderr).toBe(0);
      expect(tested.stdout).toContain('SUCCESS');
    },
  );

  it('Dockerfile: multi-stage, non-root, a health check, and paths that exist after a build', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER (?!root)\S+/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*?\/healthz/m);
    for (const [, source] of runtime.matchAll(/^COPY --from=build \/app\/(\S+)/gm)) {
      // node_modules is created by the image's own install; the rest is in a built checkout.
      if (source !== 'node_modules') expect(existsSync(join(ROOT, source!)), source).toBe(true);
    }
    const entry = runtime.match(/^ENTRYPOINT \["node", "([^"]+)"\]/m)?.[1];
    expect(entry && existsSync(join(ROOT, entry))).toBe(true);
  });

  it.skipIf(!has('hadolint'))(
    has('hadolint')
      ? 'hadolint accepts the Dockerfile'
      : 'hadolint (skipped: not installed; Debian has no package)',
    () => {
      const result = spawnSync('hadolint', [join(ROOT, 'Dockerfile')], { encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
    },
  );

  it.skipIf(!has('systemd-analyze'))(
    has('systemd-analyze')
      ? 'systemd-analyze verifies the units, and rates their hardening OK'
      : 'systemd units (skipped: systemd-analyze is not installed)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'klang-units-'));
      try {
        for (const unit of ['klang-webhooks-api.service', 'klang-webhooks-worker@.service'])
          copyFileSync(join(DEPLOY, 'systemd', unit), join(dir, unit));
        copyFileSync(
          join(dir, 'klang-webhooks-worker@.service'),
          join(dir, 'klang-webhooks-worker@1.service'),
        );
        for (const unit of ['klang-webhooks-api.service', 'klang-webhooks-worker@1.service']) {
          const verify = spawnSync('systemd-analyze', ['verify', join(dir, unit)], { encoding: 'utf8' });
          expect(verify.status).toBe(0);
          expect(verify.stderr).toBe('');
          const security = spawnSync('systemd-analyze', ['security', '--offline=true', join(dir, unit)], {
            encoding: 'utf8',
          });
          const exposure = Number(security.stdout.match(/Overall exposure level for \S+: ([\d.]+)/)?.[1]);
          expect(exposure, security.stdout.slice(-300)).toBeLessThan(3);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
