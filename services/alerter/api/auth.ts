import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens.
 *
 * Both sides are hashed first: timingSafeEqual needs equal lengths, and
 * comparing digests means neither a token's content nor its length shows in
 * the response time. Every token is compared (no early exit), so the time
 * also says nothing about which token came closest.
 */
export function bearerTokenChecker(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = tokens.map(digest);
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    const candidate = digest(presented ?? '');
    let matched = false;
    for (const d of digests) matched = timingSafeEqual(d, candidate) || matched;
    return matched && presented !== undefined;
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
