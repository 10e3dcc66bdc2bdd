import type { Advisory, AdvisoryRef, Protocol } from '../common/avro/generated-types.ts';

/**
 * Advisory context for a port. Advisories live in the compacted advisories
 * topic (written by the alerter's API); the pipeline materialises it with a
 * CompactedTable and hands the detector a view of its current values.
 *
 * The most relevant advisory for a port at event time t is, among those that
 * list the port and were published at or before t: a CRITICAL one first, then
 * the most recently published. It is "recent" within `recentDays` (90) of t:
 * a surge on a port with a recent CRITICAL advisory is Pescatore's stage 4
 * ("attackers scan to find vulnerable systems").
 */
export type AdvisorySource = () => Iterable<Advisory>;

export interface AdvisoryContext {
  readonly ref: AdvisoryRef | null;
  readonly stage4: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NONE: AdvisoryContext = Object.freeze({ ref: null, stage4: false });

export function advisoryFor(source: AdvisorySource, protocol: Protocol, port: number, eventTime: number, recentDays: number): AdvisoryContext {
  let best: Advisory | undefined;
  for (const a of source()) {
    if (a.published > eventTime || !a.ports.some((p) => p.protocol === protocol && p.port === port)) continue;
    if (best === undefined || rank(a) > rank(best) || (rank(a) === rank(best) && (a.published > best.published || (a.published === best.published && a.id < best.id)))) best = a;
  }
  if (best === undefined) return NONE;
  const recent = eventTime - best.published <= recentDays * DAY_MS;
  return {
    ref: { id: best.id, title: best.title, severity: best.severity, published: best.published, workaround: best.workaround },
    stage4: recent && best.severity === 'CRITICAL',
  };
}

const rank = (a: Advisory): number => (a.severity === 'CRITICAL' ? 1 : 0);
