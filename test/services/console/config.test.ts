import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConsoleConfig, parseDuration } from '../../../services/console/config.ts';

const TOKENS = { PORTENT_CONSOLE_API_TOKENS: 'read:console-reader-0123456789,operator-token-0123456789' };

describe('console config', () => {
  it('keeps 7 days and listens on 8090 unless told otherwise, frozen', () => {
    const c = loadConsoleConfig(TOKENS);
    expect(c.retentionMs).toBe(7 * 86_400_000);
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8090 });
    expect(c.apiTokens).toEqual(['read:console-reader-0123456789', 'operator-token-0123456789']);
    expect(c.dbPath).toBe(join(tmpdir(), 'portent-console-portent.sqlite'));
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the retention, the store file and the alerter address', () => {
    const c = loadConsoleConfig({ ...TOKENS, PORTENT_CONSOLE_RETENTION: '36h', PORTENT_CONSOLE_DB_PATH: '/data/console.sqlite', PORTENT_CONSOLE_ALERTER_URL: 'http://alerter:8080/' });
    expect(c.retentionMs).toBe(36 * 3_600_000);
    expect(c.dbPath).toBe('/data/console.sqlite');
    expect(c.alerterUrl).toBe('http://alerter:8080');
  });

  it('lists every problem together: missing tokens, a bad retention, an unknown setting', () => {
    const message = (() => {
      try {
        loadConsoleConfig({ PORTENT_CONSOLE_RETENTION: '7 days', PORTENT_CONSOLE_RETENTON: '7d' });
        return '';
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    })();
    expect(message).toContain('PORTENT_CONSOLE_RETENTON: unknown setting');
    expect(message).toContain('PORTENT_CONSOLE_RETENTION: invalid, expected how long windows and alerts are kept');
    expect(message).toContain('PORTENT_CONSOLE_API_TOKENS');
    expect(() => loadConsoleConfig({ PORTENT_CONSOLE_API_TOKENS: 'read:short' })).toThrow(/PORTENT_CONSOLE_API_TOKENS/);
  });

  it('parses durations in minutes, hours and days only', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('1w')).toBeUndefined();
  });
});
