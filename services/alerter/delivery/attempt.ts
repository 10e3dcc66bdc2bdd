import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { DeliveryFailureReason } from '../errors.ts';
import { literalRefused } from './ssrf.ts';
import type { AddressPolicy } from './ssrf.ts';

/** One HTTP request and what became of it. */
export interface AttemptRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface AttemptLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Aborts the request when the alerter shuts down; the attempt then rejects. */
  readonly signal?: AbortSignal | undefined;
  /** The guarded HTTP client (ssrf.ts) and the policy it enforces. */
  readonly dispatcher: Dispatcher;
  readonly policy: AddressPolicy;
}

export interface AttemptResult {
  /** The receiver's status, or null when no response arrived. */
  readonly status: number | null;
  /** null when the attempt succeeded. */
  readonly failure: DeliveryFailureReason | null;
  readonly retryAfter: string | null;
  /** The start of the response body (for operators), or the transport error's message. */
  readonly detail: string;
  readonly cause?: unknown;
}

const DETAIL_CHARS = 200;

/**
 * POSTs once. Never follows redirects (Standard Webhooks: "`3xx`: Failure.
 * Following redirects causes unnecessary load on both the sender and the
 * receiver"), and a redirect to an internal address would also bypass any
 * check made on the subscribed URL.
 *
 * The timeout covers the whole exchange, body included. At most
 * `maxResponseBytes` of the response are read, then the stream is cancelled,
 * so a receiver cannot make us buffer an endless answer.
 */
export async function postOnce(req: AttemptRequest, limits: AttemptLimits): Promise<AttemptResult> {
  if (literalRefused(limits.policy, new URL(req.url))) {
    return { status: null, failure: 'blocked', retryAfter: null, detail: 'target address refused by the SSRF guard' };
  }
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal === undefined ? timeout : AbortSignal.any([timeout, limits.signal]);
  let res: Dispatcher.ResponseData;
  try {
    // undici's request never follows redirects (that needs an explicit interceptor).
    res = await request(req.url, { method: 'POST', headers: req.headers, body: req.body, dispatcher: limits.dispatcher, signal });
  } catch (err) {
    if (limits.signal?.aborted === true) throw err;
    const failure = timeout.aborted ? 'timeout' : isRefused(err) ? 'blocked' : 'network';
    return { status: null, failure, retryAfter: null, detail: describe(err), cause: err };
  }
  // The status line decides the outcome; a body cut short by the timeout does not undo a 2xx.
  const body = await readCapped(res.body, limits.maxResponseBytes).catch(() => Buffer.alloc(0));
  const retryAfter = res.headers['retry-after'];
  return { status: res.statusCode, failure: classify(res.statusCode), retryAfter: (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null, detail: snippet(body) };
}

function isRefused(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if ((e as NodeJS.ErrnoException).code === 'EADDRNOTALLOWED') return true;
  return false;
}

/**
 * Standard Webhooks, "Delivery success and failure": "A webhook delivery is
 * considered successful if it was responded to with a `2xx` status code
 * [...]" and "`410 Gone`: [...] Sender should disable the webhook endpoint,
 * and stop sending it messages."
 */
export function classify(status: number): DeliveryFailureReason | null {
  if (status >= 200 && status <= 299) return null;
  if (status >= 300 && status <= 399) return 'redirect';
  if (status === 410) return 'gone';
  return 'status';
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= max) break;
    }
  } finally {
    // Drops the rest of an endless or oversized answer (and that connection) instead of reading it.
    if (!body.readableEnded) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

function snippet(body: Buffer): string {
  // Control characters would garble logs and dead-letter headers.
  return body.subarray(0, DETAIL_CHARS * 4).toString('utf8').replace(/\p{Cc}+/gu, ' ').trim().slice(0, DETAIL_CHARS);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.slice(0, DETAIL_CHARS);
}
