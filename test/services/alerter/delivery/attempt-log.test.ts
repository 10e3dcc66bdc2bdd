import { describe, expect, it } from 'vitest';
import { AttemptLog } from '../../../../services/alerter/delivery/attempt-log.ts';
import { deliveryAttemptCodec } from '../../../../services/common/avro/codecs.ts';
import type { DeliveryAttempt } from '../../../../services/common/avro/generated-types.ts';
import { CompactedTable } from '../../../../services/common/kafka/table.ts';
import type { OutRecord } from '../../../../services/common/kafka/transport.ts';
import { sampleAlert, silentLogger } from '../fixtures.ts';

describe('AttemptLog', () => {
  it('writes attempts to its topic in batches, readable by any replica', async () => {
    const sends: OutRecord[][] = [];
    const log = new AttemptLog({
      table: new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b)),
      producer: { send: (_topic, records) => Promise.resolve(void sends.push([...records])) },
      topic: 'attempts',
      logger: silentLogger(),
    });
    for (let i = 1; i <= 3; i++) log.record({ subscriptionId: 'sub_1', webhookId: 'msg_a_0', attempt: i, status: 503, durationMs: 1.4, error: 'status', detail: '', at: i }, sampleAlert());
    expect(log.list('sub_1', 10).map((a) => a.attempt)).toEqual([3, 2, 1]);
    await log.flush();
    expect(sends).toHaveLength(1);
    const other = new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b));
    for (const r of sends[0] ?? []) other.apply(r.key ?? '', r.value === null ? null : deliveryAttemptCodec.decode(r.value));
    expect([...other.values()].map((a) => [a.attempt, a.durationMs, a.status])).toEqual([[1, 1, 503], [2, 1, 503], [3, 1, 503]]);
  });

  it('recovers only webhooks whose latest attempt failed', () => {
    const log = new AttemptLog({ table: new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b)), topic: 'attempts', logger: silentLogger() });
    const base = { subscriptionId: 'sub_1', durationMs: 1, detail: '', attempt: 1 };
    log.record({ ...base, webhookId: 'msg_a_0', status: 500, error: 'status', at: 10 }, sampleAlert());
    log.record({ ...base, webhookId: 'msg_a_0', status: 204, error: null, at: 20 }, sampleAlert());
    log.record({ ...base, webhookId: 'msg_b_0', status: null, error: 'timeout', at: 30 }, sampleAlert());
    log.record({ ...base, webhookId: 'msg_c_0', status: 500, error: 'status', at: 5 }, sampleAlert());
    expect(log.failedSince('sub_1', 8).map((a) => a.webhookId)).toEqual(['msg_b_0']);
  });
});
