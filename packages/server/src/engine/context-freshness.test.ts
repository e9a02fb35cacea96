import { describe, expect, it } from 'vitest';
import { createContextFreshness } from './context-freshness.ts';

describe('context freshness', () => {
  it('trusts a fresh claim context and re-reads an old one', () => {
    const freshness = createContextFreshness(100);
    expect(freshness.stale({ webhookId: 'w', claimedAt: 1_000 }, 1_050)).toBe(false);
    expect(freshness.stale({ webhookId: 'w', claimedAt: 1_000 }, 1_101)).toBe(true);
  });

  it('re-reads the context of a webhook changed at or after the claim, not before', () => {
    const freshness = createContextFreshness(100);
    freshness.changed('w', 1_000);
    expect(freshness.stale({ webhookId: 'w', claimedAt: 999 }, 1_010)).toBe(true);
    expect(freshness.stale({ webhookId: 'w', claimedAt: 1_000 }, 1_010)).toBe(true);
    expect(freshness.stale({ webhookId: 'w', claimedAt: 1_001 }, 1_010)).toBe(false);
    expect(freshness.stale({ webhookId: 'other', claimedAt: 999 }, 1_010)).toBe(false);
  });

  it('stays bounded and still answers correctly after pruning', () => {
    const freshness = createContextFreshness(100);
    for (let i = 0; i < 20_000; i++) freshness.changed(`w${i}`, i);
    freshness.changed('last', 50_000);
    expect(freshness.stale({ webhookId: 'last', claimedAt: 49_990 }, 50_010)).toBe(true);
  });
});
