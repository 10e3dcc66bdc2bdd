import { alertCodec } from '../../common/avro/codecs.ts';
import type { Alert, DeliveryTask, Subscription } from '../../common/avro/generated-types.ts';
import type { Logger } from '../../common/logger.ts';
import { bindActive } from '../../common/telemetry/propagation.ts';
import type { AttemptLog } from './attempt-log.ts';
import type { DeliverySettings } from '../config.ts';
import { defaultSleep, deliver } from './deliver.ts';
import type { DeliveryOptions, DeliveryOutcome, Sleep } from './deliver.ts';
import type { FailureTracker } from './failure-tracker.ts';
import { RetryPlan } from './retry-plan.ts';
import type { RetryDecision } from './retry-plan.ts';
import type { SubscriptionStore } from '../subscriptions.ts';
import { buildWebhook } from './webhook.ts';
import type { Webhook } from './webhook.ts';

export interface SenderOptions extends Pick<DeliveryOptions, 'http' | 'lanes' | 'now'> {
  readonly settings: DeliverySettings;
  /** [0, 1); pins the retry jitter in tests. */
  readonly random?: () => number;
  readonly logger: Logger;
  readonly attempts?: Pick<AttemptLog, 'record'>;
  readonly subscriptions: Pick<SubscriptionStore, 'disable'>;
  readonly failures?: FailureTracker;
}

/** Where retries go instead of being waited out here: the retry topic. Resolves once Kafka has the task. */
export type HandOff = (task: DeliveryTask) => Promise<void>;

export interface SendOptions {
  readonly signal?: AbortSignal | undefined;
  readonly sleep?: Sleep;
  /** Overrides the configured retry plan (a test ping: RetryPlan.once()). */
  readonly plan?: RetryPlan;
  /** First attempt only; a retryable failure (and every later state of the same alert meanwhile) is handed off. */
  readonly handOff?: HandOff;
  /** Continue a handed-off delivery: its attempt number and earliest time. */
  readonly firstAttempt?: number;
  readonly notBefore?: number;
}

export interface SendResult {
  readonly webhook: Webhook;
  readonly outcome: DeliveryOutcome;
  /** True when the delivery now belongs to the retry worker. */
  readonly handedOff: boolean;
}

/**
 * Delivers alerts to subscriptions: builds the webhook in the subscription's
 * format, keeps (subscription, alert) deliveries in order, paces them per
 * subscription, logs every attempt, and acts on the outcome: a 410 Gone
 * disables the subscription at once, sustained failure disables it too.
 */
export class WebhookSender {
  readonly #opts: SenderOptions;
  /** (subscription|alertId) handed off, until when: their later states must follow through the retry topic. */
  readonly #handedOff = new Map<string, number>();

  readonly #plan: RetryPlan;

  constructor(opts: SenderOptions) {
    this.#opts = opts;
    this.#plan = new RetryPlan(opts.settings.retrySchedule, opts.random);
  }

  /**
   * Queues behind earlier deliveries of the same alert to the same
   * subscription, so RESOLVED never overtakes FIRING. First attempts (with
   * `handOff`, the alert pipeline) and whole retry chains (the retry worker,
   * replays) queue in separate chains: a first attempt waits at most for the
   * first attempt before it, never for a retry schedule. Order between the
   * two is kept by the hand-off: while a state is in the retry topic, later
   * states follow it there.
   */
  send(sub: Subscription, alert: Alert, opts: SendOptions = {}): Promise<SendResult> {
    const key = `${sub.id}|${alert.alertId}`;
    // Bound to the caller's context: the lane may run it later, from another delivery's chain.
    const run = bindActive(() => (opts.handOff === undefined ? this.#deliver(sub, alert, opts) : this.#firstOrHandOff(key, sub, alert, opts, opts.handOff)));
    return this.#opts.lanes === undefined ? run() : this.#opts.lanes.ordered(`${opts.handOff === undefined ? 'chain' : 'first'}|${key}`, run);
  }

  async #firstOrHandOff(key: string, sub: Subscription, alert: Alert, opts: SendOptions, handOff: HandOff): Promise<SendResult> {
    const now = this.#now();
    const pending = (this.#handedOff.get(key) ?? 0) > now;
    if (pending) {
      // An earlier state of this alert is in the retry topic: queue behind it (same key, same partition).
      await handOff({ subscriptionId: sub.id, attempts: 0, dueAt: now, alert: alertCodec.encode(alert) });
      return { webhook: buildWebhook(sub, alert, now), outcome: noAttempt(), handedOff: true };
    }
    // One attempt here; the plan decides whether the rest belongs to the retry worker.
    const decided: { next: RetryDecision } = { next: { final: true } };
    const decide = (o: DeliveryOutcome): boolean => {
      decided.next = o.delivered || o.reason === null ? { final: true } : this.#plan.next(1, o.reason, o.retryAfterMs ?? undefined);
      return decided.next.final;
    };
    const first = await this.#deliver(sub, alert, { ...opts, plan: RetryPlan.once() }, decide);
    const next = decided.next;
    if (next.final) return first;
    const delay = next.delayMs;
    await handOff({ subscriptionId: sub.id, attempts: 1, dueAt: this.#now() + delay, alert: alertCodec.encode(alert) });
    // Later states follow it through the retry topic for as long as its retries can last.
    this.#handedOff.set(key, this.#now() + delay + this.#plan.remainingMs(1, this.#opts.settings.timeoutMs));
    this.#forgetExpired();
    return { ...first, handedOff: true };
  }

  async #deliver(sub: Subscription, alert: Alert, opts: SendOptions, isFinal: (o: DeliveryOutcome) => boolean = () => true): Promise<SendResult> {
    const now = this.#opts.now;
    const wait = (opts.notBefore ?? 0) - now();
    if (wait > 0) await (opts.sleep ?? defaultSleep)(wait, opts.signal);
    const webhook = buildWebhook(sub, alert, now());
    let encoded: Buffer | undefined;
    const outcome = await deliver(webhook, {
      ...this.#opts,
      plan: opts.plan ?? this.#plan,
      signal: opts.signal,
      firstAttempt: opts.firstAttempt,
      ...(opts.sleep === undefined ? {} : { sleep: opts.sleep }),
      onAttempt: (event) => {
        encoded ??= alertCodec.encode(alert);
        this.#opts.attempts?.record(event, encoded);
      },
    });
    if (isFinal(outcome)) await this.#afterwards(sub, outcome, now());
    return { webhook, outcome, handedOff: false };
  }

  async #afterwards(sub: Subscription, outcome: DeliveryOutcome, nowMs: number): Promise<void> {
    const failures = this.#opts.failures;
    if (outcome.delivered) return failures?.succeeded(sub.id);
    let reason: string | undefined;
    if (outcome.reason === 'gone') reason = 'receiver answered 410 Gone';
    else if (failures?.exhausted(sub.id, nowMs) === true) reason = `every delivery failed since ${new Date(failures.since(sub.id) ?? nowMs).toISOString()}`;
    if (reason === undefined) return;
    try {
      if ((await this.#opts.subscriptions.disable(sub.id, reason)) !== undefined) {
        // The notice: operators see it in the logs, owners in GET /v1/subscriptions/:id (disabledReason).
        this.#opts.logger.warn({ subscriptionId: sub.id, reason }, 'subscription disabled');
      }
    } catch (err) {
      this.#opts.logger.error({ err, subscriptionId: sub.id }, 'could not disable subscription');
    }
  }

  #now(): number {
    return this.#opts.now();
  }

  #forgetExpired(): void {
    const now = this.#now();
    for (const [key, until] of this.#handedOff) if (until <= now) this.#handedOff.delete(key);
  }
}

function noAttempt(): DeliveryOutcome {
  return { delivered: false, status: null, attempts: 0, durationMs: 0, reason: null, retryAfterMs: null, error: null };
}
