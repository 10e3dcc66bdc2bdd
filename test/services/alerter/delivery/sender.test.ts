import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { FailureTracker } from '../../../../services/alerter/delivery/failure-tracker.ts';
import { DeliveryLanes } from '../../../../services/alerter/delivery/lanes.ts';
import { WebhookSender } from '../../../../services/alerter/delivery/sender.ts';
import type { AttemptEvent } from '../../../../services/alerter/delivery/deliver.ts';
import type { DeliveryTask } from '../../../../services/common/avro/generated-types.ts';
import { always, loopbackHttp, memoryStore, sampleAlert, silentLogger, startTestServer, stringHeaders } from '../fixtures.ts';

const settings = { timeoutMs: 2_000, retrySchedule: [1, 1], maxResponseBytes: 1_024 };

function sender(memory = memoryStore(), failures?: FailureTracker) {
  const events: AttemptEvent[] = [];
  const s = new WebhookSender({
    settings,
    http: loopbackHttp(),
    lanes: new DeliveryLanes({ concurrency: 4, ratePerSecond: 1_000 }, memory.clock),
    logger: silentLogger(),
    subscriptions: memory.store,
    now: memory.clock,
    attempts: { record: (e) => events.push(e) },
    ...(failures === undefined ? {} : { failures }),
  });
  return { s, events, memory };
}

describe('WebhookSender', () => {
  it('disables a subscription whose receiver answers 410 Gone, after one attempt', async () => {
    const { s, memory, events } = sender();
    const gone = await startTestServer(always(410));
    const sub = await memory.store.create({ url: gone.url });
    const { outcome } = await s.send(sub, sampleAlert());
    expect(outcome).toMatchObject({ delivered: false, attempts: 1, reason: 'gone' });
    expect(memory.store.get(sub.id).disabledReason).toBe('receiver answered 410 Gone');
    expect(memory.store.matching(sampleAlert())).toEqual([]);
    expect(events).toMatchObject([{ subscriptionId: sub.id, attempt: 1, status: 410, error: 'gone' }]);
  });

  it('disables a subscription after sustained failure, and resuming turns it back on', async () => {
    const { s, memory } = sender(memoryStore(), new FailureTracker(1, 2));
    const dead = await startTestServer(always(500));
    const sub = await memory.store.create({ url: dead.url });
    await s.send(sub, sampleAlert({ alertId: 'a1' }));
    expect(memory.store.get(sub.id).disabledReason).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.send(sub, sampleAlert({ alertId: 'a2' }));
    expect(memory.store.get(sub.id).disabledReason).toMatch(/^every delivery failed since /);
    expect((await memory.store.setPaused(sub.id, false)).disabledReason).toBeNull();
  });

  it('delivers RESOLVED only after its FIRING, even while the FIRING is retried', async () => {
    const receiver = await startTestServer((req, res) => {
      const state = (JSON.parse(req.body) as { data: { state: string } }).data.state;
      const firingTries = receiver.requests.filter((r) => r.body.includes('"FIRING"')).length;
      res.writeHead(state === 'FIRING' && firingTries < 3 ? 503 : 204).end();
    });
    const { s, memory } = sender();
    const sub = await memory.store.create({ url: receiver.url });
    await Promise.all([s.send(sub, sampleAlert()), s.send(sub, sampleAlert({ state: 'RESOLVED', sequence: 1 }))]);
    const states = receiver.requests.map((r) => (JSON.parse(r.body) as { data: { state: string } }).data.state);
    expect(states).toEqual(['FIRING', 'FIRING', 'FIRING', 'RESOLVED']);
  });

  it('never makes a first attempt wait for a retry chain of the same alert', { timeout: 10_000 }, async () => {
    const down = await startTestServer(always(503));
    const { s, memory } = sender();
    const sub = await memory.store.create({ url: down.url });
    // The retry worker's chain for FIRING: it sleeps between retries until released.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const chain = s.send(sub, sampleAlert(), { sleep: () => released });
    await vi.waitFor(() => {
      expect(down.requests).toHaveLength(1);
    });
    // The alert pipeline's UPDATED of the same alert: one attempt, then the retry topic, at once.
    const tasks: DeliveryTask[] = [];
    const updated = await s.send(sub, sampleAlert({ state: 'UPDATED', sequence: 1 }), { handOff: (task) => Promise.resolve(void tasks.push(task)) });
    expect(updated.handedOff).toBe(true);
    expect(tasks).toMatchObject([{ subscriptionId: sub.id, attempts: 1 }]);
    release();
    expect((await chain).outcome).toMatchObject({ delivered: false, attempts: 3 });
  });

  it('signs with both secrets during a rotation grace period', async () => {
    const receiver = await startTestServer(always(204));
    const { s, memory } = sender();
    const created = await memory.store.create({ url: receiver.url });
    // Store and sender share one clock: the old secret is inside its day of grace for both.
    const rotated = await memory.store.rotate(created.id, 86_400_000);
    await s.send(rotated, sampleAlert());
    const [req] = receiver.requests;
    const headers = stringHeaders(req?.headers ?? {});
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [created.secret, rotated.secret]) expect(() => new Verifier(secret).verify(req?.body ?? '', headers)).not.toThrow();
  });
});
