import { describe, expect, it } from 'vitest';
import { matches } from '../../../services/alerter/subscriptions.ts';
import type { Subscription } from '../../../services/common/avro/generated-types.ts';
import { memoryStore, pinnedClock, sampleAlert, sampleSubscription } from './fixtures.ts';

describe('SubscriptionStore', () => {
  it('writes a new subscription to the topic and reads it back at once', async () => {
    const { store, writes } = memoryStore({ now: pinnedClock });
    const sub = await store.create({ url: 'https://example.test/hook', ports: [445, 22] });
    expect(sub).toMatchObject({ url: 'https://example.test/hook', ports: [445, 22], createdAt: Date.parse('2026-11-27T08:00:00Z') });
    expect(sub.id).toMatch(/^sub_[A-Za-z0-9_-]{22}$/);
    expect(sub.secret).toMatch(/^whsec_/);
    expect(writes).toEqual([[sub.id, sub]]);
    expect(store.get(sub.id)).toEqual(sub);
    expect(store.list()).toEqual([sub]);
  });

  it('gives every subscription its own id and secret', async () => {
    const { store } = memoryStore();
    const [a, b] = [await store.create({ url: 'https://a.test/' }), await store.create({ url: 'https://a.test/' })];
    expect(a.id).not.toBe(b.id);
    expect(a.secret).not.toBe(b.secret);
    expect(a.ports).toEqual([]);
  });

  it('deletes with a tombstone', async () => {
    const { store, writes } = memoryStore();
    const sub = await store.create({ url: 'https://example.test/hook' });
    await store.delete(sub.id);
    expect(writes.at(-1)).toEqual([sub.id, null]);
    expect(store.list()).toEqual([]);
    expect(() => store.get(sub.id)).toThrow(expect.objectContaining({ code: 'ALERTER_ERR_SUBSCRIPTION_NOT_FOUND' }));
  });

  it('refuses to delete what does not exist, writing nothing', async () => {
    const { store, writes } = memoryStore();
    await expect(store.delete('sub_missing')).rejects.toMatchObject({ code: 'ALERTER_ERR_SUBSCRIPTION_NOT_FOUND' });
    expect(writes).toEqual([]);
  });

  it('applies nothing locally when the write fails', async () => {
    const m = memoryStore();
    m.failWrites(true);
    await expect(m.store.create({ url: 'https://example.test/hook' })).rejects.toMatchObject({ code: 'ALERTER_ERR_SUBSCRIPTION_WRITE_FAILED', canRetry: true });
    expect(m.store.list()).toEqual([]);
  });

  it('follows records other replicas wrote to the table', () => {
    const { store, table } = memoryStore();
    const other: Subscription = sampleSubscription({ id: 'sub_other', url: 'https://b.test/', ports: [], secret: 'whsec_x', createdAt: 1 });
    table.apply(other.id, other);
    expect(store.get('sub_other')).toEqual(other);
  });

  it.each([
    ['ftp://example.test/', 'must use http or https'],
    ['not a url', 'must be an absolute URL'],
    ['https://user:pw@example.test/', 'must not contain credentials'],
    [`https://example.test/${'a'.repeat(2048)}`, 'at most 2048'],
  ])('rejects the url %s', async (url, message) => {
    const { store, writes } = memoryStore();
    const created = store.create({ url });
    await expect(created).rejects.toMatchObject({ code: 'ALERTER_ERR_SUBSCRIPTION_INVALID', fields: { field: 'url' } });
    await expect(created).rejects.toThrow(message);
    expect(writes).toEqual([]);
  });

  it.each([[[0]], [[65536]], [[1.5]], [[80, 80]], [Array.from({ length: 1001 }, (_, i) => i + 1)]])('rejects the ports %j', async (ports) => {
    const { store } = memoryStore();
    await expect(store.create({ url: 'https://example.test/', ports })).rejects.toMatchObject({ code: 'ALERTER_ERR_SUBSCRIPTION_INVALID', fields: { field: 'ports' } });
  });

  it('lists oldest first', async () => {
    let now = 2_000;
    const { store } = memoryStore({ now: () => (now -= 1_000) });
    const newer = await store.create({ url: 'https://a.test/' });
    const older = await store.create({ url: 'https://b.test/' });
    expect(store.list().map((s) => s.id)).toEqual([older.id, newer.id]);
  });

  it('selects the subscriptions an alert matches', async () => {
    const { store } = memoryStore();
    const all = await store.create({ url: 'https://all.test/' });
    const smb = await store.create({ url: 'https://smb.test/', ports: [445] });
    await store.create({ url: 'https://ssh.test/', ports: [22] });
    expect(store.matching(sampleAlert({ port: 445 })).map((s) => s.id).sort()).toEqual([all.id, smb.id].sort());
  });
});

describe('matches', () => {
  const sub = (ports: number[]): Subscription => sampleSubscription({ ports });

  it('takes empty ports to mean every port', () => {
    expect(matches(sub([]), sampleAlert({ port: 3389 }))).toBe(true);
  });

  it('matches only listed ports otherwise', () => {
    expect(matches(sub([22, 445]), sampleAlert({ port: 445 }))).toBe(true);
    expect(matches(sub([22]), sampleAlert({ port: 445 }))).toBe(false);
  });
});
