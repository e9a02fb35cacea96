import { describe, expect, it } from 'vitest';
import { patternMatcher } from './route-table.ts';

describe('route pattern matcher', () => {
  it.each([
    ['/api/v1/webhooks/:id', '/api/v1/webhooks/wh_1', true],
    ['/api/v1/webhooks/:id', '/api/v1/webhooks/wh_1/secret', false],
    ['/api/v1/webhooks/:id', '/api/v1/webhooks/', false],
    ['/api/v1/webhooks/:id/attempts/:attempt_id', '/api/v1/webhooks/a/attempts/b', true],
    ['/settings/*', '/settings/developers/webhooks/wh_1', true],
    ['/settings/*', '/settings', false],
    ['/*', '/anything/at/all', true],
    ['/api/openapi.json', '/api/openapiXjson', false],
    ['/files/:name.png', '/files/logo.png', true],
    ['/n/:id(^\\d+)', '/n/12', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(patternMatcher(pattern).test(path)).toBe(expected);
  });
});
