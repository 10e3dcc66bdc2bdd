/** The console's settings: read from the environment once, validated, frozen. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { commonConfig, commonSettings, loadConfig } from '../common/config.ts';
import type { CommonConfig, Env } from '../common/config.ts';
import { CommonErrorCodes, PortentError } from '../common/errors.ts';
import { parseToken } from '../common/scoped-tokens.ts';

const DURATION = '^[1-9][0-9]*(m|h|d)$';
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Every variable the console reads. Unknown PORTENT_CONSOLE_* variables are rejected. */
export const consoleSettings = Type.Object({
  ...commonSettings,
  PORTENT_CONSOLE_HTTP_HOST: Type.String({ default: '0.0.0.0', minLength: 1, description: '0.0.0.0 so probes reach the pod' }),
  PORTENT_CONSOLE_HTTP_PORT: Type.Integer({ default: 8090, minimum: 0, maximum: 65535 }),
  // The alerter's token format (services/common/scoped-tokens.ts): the same tokens open both.
  PORTENT_CONSOLE_API_TOKENS: Type.String({
    pattern: '^\\s*[\\x21-\\x2b\\x2d-\\x7e]{16,}\\s*(,\\s*[\\x21-\\x2b\\x2d-\\x7e]{16,}\\s*)*$',
    description: 'Comma-separated bearer tokens, each at least 16 characters',
  }),
  PORTENT_CONSOLE_DB_PATH: Type.String({ default: '', description: 'SQLite file of the store; empty = portent-console-<topic prefix>sqlite in the temporary directory' }),
  PORTENT_CONSOLE_RETENTION: Type.String({ default: '7d', pattern: DURATION, description: 'how long windows and alerts are kept, e.g. 7d, 36h, 90m' }),
  PORTENT_CONSOLE_GROUP_ID: Type.String({ default: 'portent-console', minLength: 1 }),
  PORTENT_CONSOLE_ALERTER_URL: Type.String({ default: 'http://127.0.0.1:8080', pattern: '^https?://[^\\s/]+/?$', description: 'http(s)://host:port of the alerter API' }),
});

export interface ConsoleConfig extends CommonConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly apiTokens: readonly string[];
  readonly dbPath: string;
  readonly retentionMs: number;
  readonly groupId: string;
  readonly alerterUrl: string;
}

export function parseDuration(text: string): number | undefined {
  const m = new RegExp(DURATION).exec(text);
  return m === null ? undefined : Number(text.slice(0, -1)) * (UNIT_MS[m[1] ?? ''] ?? 0);
}

export function loadConsoleConfig(env: Env): ConsoleConfig {
  const raw = loadConfig(consoleSettings, env, ['PORTENT_CONSOLE_']);
  const tokens = [...new Set(raw.PORTENT_CONSOLE_API_TOKENS.split(',').map((t) => t.trim()))];
  if (tokens.map(parseToken).some((t) => t.token.length < 16)) {
    const problem = 'PORTENT_CONSOLE_API_TOKENS: a scoped token (read:, write:, admin:) needs at least 16 characters after its prefix';
    throw new PortentError(CommonErrorCodes.CONFIG_INVALID, `invalid configuration:\n  ${problem}`, { fields: { problems: [problem] } });
  }
  const config: ConsoleConfig = {
    ...commonConfig(raw),
    http: Object.freeze({ host: raw.PORTENT_CONSOLE_HTTP_HOST, port: raw.PORTENT_CONSOLE_HTTP_PORT }),
    apiTokens: Object.freeze(tokens),
    // One file per topic prefix: two consoles on one machine reading different topics must not share rows.
    dbPath: raw.PORTENT_CONSOLE_DB_PATH === '' ? join(tmpdir(), `portent-console-${raw.PORTENT_TOPIC_PREFIX}sqlite`) : raw.PORTENT_CONSOLE_DB_PATH,
    // The schema pattern guarantees a duration.
    retentionMs: parseDuration(raw.PORTENT_CONSOLE_RETENTION) ?? 0,
    groupId: raw.PORTENT_CONSOLE_GROUP_ID,
    alerterUrl: raw.PORTENT_CONSOLE_ALERTER_URL.replace(/\/$/, ''),
  };
  return Object.freeze(config);
}
