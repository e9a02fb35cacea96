import { describe, expect, it } from 'vitest';
import { FAILURE_KIND_TEXT, type FailuresByKind, failureKindEntries } from './failure-kinds.ts';

const none: FailuresByKind = {
  timeout: 0,
  connection: 0,
  dns: 0,
  tls: 0,
  redirect: 0,
  client_error: 0,
  server_error: 0,
  blocked: 0,
};

describe('failureKindEntries', () => {
  it('lists nothing without failures or stats', () => {
    expect(failureKindEntries(none)).toEqual([]);
    expect(failureKindEntries(undefined)).toEqual([]);
  });

  it('lists only the kinds that occurred, most first, ties in the API order', () => {
    const entries = failureKindEntries({ ...none, server_error: 2, timeout: 2, client_error: 7 });
    expect(entries.map((e) => [e.kind, e.count])).toEqual([
      ['client_error', 7],
      ['timeout', 2],
      ['server_error', 2],
    ]);
    expect(entries[0]).toMatchObject({ label: 'Rejected (4xx)', href: '/help/webhooks#other-4xx' });
  });

  it.each(Object.keys(none))('has a label and a troubleshooting link for %s', (kind) => {
    const [entry] = failureKindEntries({ ...none, [kind]: 1 });
    expect(entry?.label).toMatch(/^[A-Z]/);
    expect(entry?.href).toMatch(/^\/help\/webhooks#[a-z0-9-]+$/);
  });

  it('uses one label per kind', () => {
    const labels = Object.values(FAILURE_KIND_TEXT).map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
