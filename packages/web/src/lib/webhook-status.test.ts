import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { fieldSentence } from './field-errors.ts';
import { failingMessage, isFailing, statusLabel } from './webhook-status.ts';

describe('webhook status', () => {
  it.each([
    ['active', 'Active'],
    ['paused', 'Paused'],
    ['auto_paused', 'Auto-paused'],
    ['disabled_plan', 'Disabled: plan'],
  ] as const)('%s reads "%s"', (status, label) => {
    expect(statusLabel(status)).toBe(label);
  });

  it('warns while an active webhook fails, not once it is paused', () => {
    expect(isFailing({ status: 'active', consecutive_failures: 9 })).toBe(true);
    expect(isFailing({ status: 'active', consecutive_failures: 0 })).toBe(false);
    expect(isFailing({ status: 'auto_paused', consecutive_failures: 25 })).toBe(false);
    expect(failingMessage({ consecutive_failures: 9, auto_pause_after: 25 })).toBe(
      '9 consecutive failures — Klang pauses this webhook after 25',
    );
    expect(failingMessage({ consecutive_failures: 1, auto_pause_after: 25 })).toBe(
      '1 consecutive failure — Klang pauses this webhook after 25',
    );
  });
});

describe('fieldSentence', () => {
  const error = new ApiError(422, 'validation_failed', 'Invalid request.', [
    { field: 'url', message: 'url scheme "http" is not allowed; use https' },
    { field: 'description', message: 'must be at most 500 characters' },
  ]);

  it('reads the field as its label', () => {
    expect(fieldSentence(error, 'url', 'URL')).toBe('URL scheme "http" is not allowed; use https');
    expect(fieldSentence(error, 'description', 'Description')).toBe(
      'Description must be at most 500 characters',
    );
    expect(fieldSentence(error, 'events', 'Events')).toBeUndefined();
    expect(fieldSentence(new Error('x'), 'url', 'URL')).toBeUndefined();
  });
});
