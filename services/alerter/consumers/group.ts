/** Consumer-group settings the alert pipeline and the retry worker share. */

/** The session timeout option of a consumer, when configured (PORTENT_ALERTER_SESSION_TIMEOUT_MS). */
export function session(config: { readonly sessionTimeoutMs?: number }): { sessionTimeoutMs?: number } {
  return config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs };
}
