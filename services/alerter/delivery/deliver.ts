import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../common/logger.ts';
import type { DeliverySettings } from '../config.ts';
import { deliveryAborted, deliveryFailed } from '../errors.ts';
import type { AlerterError, DeliveryFailureReason } from '../errors.ts';
import type { Dispatcher } from 'undici';
import type { DeliveryLanes } from './lanes.ts';
import type { AddressPolicy } from './ssrf.ts';
import { postOnce } from './attempt.ts';
import type { AttemptResult } from './attempt.ts';
import { parseRetryAfter } from './retry-plan.ts';
import type { RetryPlan } from './retry-plan.ts';
import { requestHeaders } from './webhook.ts';
import { SpanStatusCode } from '@opentelemetry/api';
import { SpanKind, childSpan, traceHeaders } from '../../common/telemetry/propagation.ts';
import { attemptFinished } from '../telemetry.ts';
import type { Webhook } from './webhook.ts';
import type { Clock } from '../../common/clock.ts';

/** Waits `ms`; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** One finished HTTP attempt, for the attempt log. */
export interface AttemptEvent {
  readonly subscriptionId: string;
  readonly webhookId: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly durationMs: number;
  readonly error: DeliveryFailureReason | null;
  readonly detail: string;
  readonly at: number;
}

export interface DeliveryOptions {
  /** Timeout and response cap of each attempt. */
  readonly settings: Pick<DeliverySettings, 'timeoutMs' | 'maxResponseBytes'>;
  /** Whether and when to try again after a failed attempt. */
  readonly plan: RetryPlan;
  /** The guarded HTTP client and its address policy (ssrf.ts). */
  readonly http: { readonly dispatcher: Dispatcher; readonly policy: AddressPolicy };
  /** Per-subscription concurrency and throttle; absent = unlimited (tests of retry timing). */
  readonly lanes?: DeliveryLanes | undefined;
  readonly onAttempt?: ((event: AttemptEvent) => void) | undefined;
  /** Number of the first attempt made here (a retry worker continues a delivery begun elsewhere); default 1. */
  readonly firstAttempt?: number | undefined;
  readonly logger: Logger;
  /** Shutdown: stops the current attempt or wait, and `deliver` rejects with ALERTER_ERR_DELIVERY_ABORTED. */
  readonly signal?: AbortSignal | undefined;
  /** Injectable for tests, and so the pipeline can heartbeat while it waits. */
  readonly sleep?: Sleep;
  readonly now: Clock;
}

export interface DeliveryOutcome {
  readonly delivered: boolean;
  /** The last status the receiver answered with, or null if it never answered. */
  readonly status: number | null;
  readonly attempts: number;
  readonly durationMs: number;
  /** Why the last attempt failed; null when delivered. */
  readonly reason: DeliveryFailureReason | null;
  /** The last answer's Retry-After, in ms from then; null when absent. */
  readonly retryAfterMs: number | null;
  /** ALERTER_ERR_DELIVERY_FAILED when not delivered, else null. */
  readonly error: AlerterError | null;
}

export const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal });

/**
 * Delivers one webhook: the first attempt at once, then retries as long as
 * the retry plan says, until a 2xx. Each attempt
 * is signed afresh with its own timestamp under the same webhook-id.
 *
 * Resolves with the outcome whatever the receiver does; rejects only when
 * `signal` aborts, so the caller leaves the record uncommitted.
 */
export async function deliver(webhook: Webhook, opts: DeliveryOptions): Promise<DeliveryOutcome> {
  const now = opts.now;
  const sleep = opts.sleep ?? defaultSleep;
  const log = opts.logger.child({ subscriptionId: webhook.subscriptionId, webhookId: webhook.id, origin: originOf(webhook.url) });
  const started = now();
  // One client span per attempt when the alert is traced; the receiver gets its traceparent too.
  const once = (): Promise<AttemptResult> =>
    childSpan('portent.alerter webhook POST', SpanKind.CLIENT, { 'url.full': originOf(webhook.url), 'portent.webhook_id': webhook.id }, async (span) => {
      const began = performance.now();
      const result = await postOnce({ url: webhook.url, headers: { ...requestHeaders(webhook, now()), ...traceHeaders() }, body: webhook.body }, { ...opts.settings, ...opts.http, signal: opts.signal });
      attemptFinished(result.failure ?? 'ok', (performance.now() - began) / 1000);
      if (result.status !== null) span?.setAttribute('http.response.status_code', result.status);
      if (result.failure !== null) span?.setStatus({ code: SpanStatusCode.ERROR, message: result.failure });
      return result;
    });
  for (let attempt = opts.firstAttempt ?? 1; ; attempt++) {
    const began = now();
    const result = await guard(webhook, opts.signal, () => (opts.lanes === undefined ? once() : opts.lanes.attempt(webhook.subscriptionId, once)));
    opts.onAttempt?.({ subscriptionId: webhook.subscriptionId, webhookId: webhook.id, attempt, status: result.status, durationMs: now() - began, error: result.failure, detail: result.detail, at: began });
    const retryAfterMs = parseRetryAfter(result.retryAfter, now()) ?? null;
    const outcome = { status: result.status, attempts: attempt, durationMs: now() - started, reason: result.failure, retryAfterMs };
    if (result.failure === null) {
      log.debug({ ...outcome }, 'webhook delivered');
      return { delivered: true, ...outcome, error: null };
    }
    const next = opts.plan.next(attempt, result.failure, retryAfterMs ?? undefined);
    log.warn({ ...outcome, detail: result.detail, retryInMs: next.final ? null : next.delayMs }, 'webhook attempt failed');
    if (next.final) return { delivered: false, ...outcome, error: finalError(webhook, result, attempt) };
    await guard(webhook, opts.signal, () => sleep(next.delayMs, opts.signal));
  }
}

function finalError(webhook: Webhook, result: AttemptResult, attempt: number): AlerterError {
  const reason = result.failure ?? 'status';
  const gone = reason === 'gone' || reason === 'blocked';
  const answer = result.status === null ? reason : `HTTP ${result.status}`;
  const message = `webhook ${webhook.id} to ${webhook.subscriptionId} failed after ${attempt} attempt(s): ${answer}${result.detail === '' ? '' : ` (${result.detail})`}`;
  return deliveryFailed({ reason, status: result.status, attempt, subscriptionId: webhook.subscriptionId }, message, !gone, result.cause);
}

/** Turns a shutdown abort into ALERTER_ERR_DELIVERY_ABORTED; other errors pass through. */
async function guard<T>(webhook: Webhook, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (signal?.aborted === true) throw deliveryAborted(webhook.subscriptionId, err);
    throw err;
  }
}

/** Only the origin is logged: webhook URLs often carry a token in their path or query. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
