import { describe, expect, it } from 'vitest';
import { bearerTokenChecker } from '../../../services/common/scoped-tokens.ts';

describe('bearerTokenChecker', () => {
  const allowed = bearerTokenChecker(['first-token-0123456789', 'second-token-0123456789']);

  it('accepts each configured token, whatever the case of "Bearer"', () => {
    expect(allowed('Bearer first-token-0123456789')).toBe(true);
    expect(allowed('bearer second-token-0123456789')).toBe(true);
  });

  it('refuses missing, empty, partial and padded tokens', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Bearer first-token', 'Bearer first-token-0123456789x', 'first-token-0123456789', 'Token first-token-0123456789']) {
      expect(allowed(header), String(header)).toBe(false);
    }
  });

  it('refuses everything when no token is configured', () => {
    expect(bearerTokenChecker([])('Bearer ')).toBe(false);
    expect(bearerTokenChecker([])('Bearer anything-at-all-here')).toBe(false);
  });
});
