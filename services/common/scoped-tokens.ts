/** Scoped bearer tokens (read < write < admin), shared by every HTTP API: the alerter's and the console's. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** read < write < admin: each scope includes the ones before it. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ScopedToken {
  readonly token: string;
  readonly scope: Scope;
}

/**
 * `PORTENT_ALERTER_API_TOKENS` entries: `read:<token>`, `write:<token>`,
 * `admin:<token>`, or a bare `<token>`, which is admin (the operator's own
 * token, and what single-token set-ups have always meant).
 */
export function parseToken(entry: string): ScopedToken {
  const m = /^(read|write|admin):(.+)$/.exec(entry);
  return m === null ? { token: entry, scope: 'admin' } : { token: m[2] ?? '', scope: m[1] as Scope };
}

export function includes(granted: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(granted) >= SCOPES.indexOf(needed);
}

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens and
 * answers with the token's scope, or null.
 *
 * Both sides are hashed first: timingSafeEqual needs equal lengths, and
 * comparing digests means neither a token's content nor its length shows in
 * the response time. Every token is compared (no early exit), so the time
 * also says nothing about which token came closest.
 */
export function bearerScopeChecker(entries: readonly string[]): (authorization: string | undefined) => Scope | null {
  const tokens = entries.map(parseToken).map((t) => ({ digest: digest(t.token), scope: t.scope }));
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    const candidate = digest(presented ?? '');
    let scope: Scope | null = null;
    for (const t of tokens) if (timingSafeEqual(t.digest, candidate) && (scope === null || includes(t.scope, scope))) scope = t.scope;
    return presented === undefined ? null : scope;
  };
}

/** Kept for callers that only need yes/no. */
export function bearerTokenChecker(entries: readonly string[]): (authorization: string | undefined) => boolean {
  const check = bearerScopeChecker(entries);
  return (authorization) => check(authorization) !== null;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
