/**
 * Alerts in the store: every state of every alert (the lifecycle timeline of
 * the alert page), and the latest state of each (lists, active surges).
 * Alerts are kept whole as JSON, read through the generated Alert type, so a
 * new alert kind or field needs no change here.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Alert } from '../../common/avro/generated-types.ts';
import { portId } from './database.ts';

export interface AlertQuery {
  readonly portId?: number;
  readonly kind?: string;
  /** Only alerts whose latest state is not RESOLVED. */
  readonly active?: boolean;
  readonly limit: number;
}

interface BodyRow { body: string }

export class AlertStore {
  readonly #insert: StatementSync;
  readonly #latest: StatementSync;
  readonly #states: StatementSync;
  readonly #onPort: StatementSync;
  readonly #recent: StatementSync;
  readonly #prune: StatementSync;
  readonly #pruneLatest: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare('INSERT OR REPLACE INTO alert_states VALUES (?,?,?,?,?,?,?,?)');
    this.#latest = db.prepare(`INSERT INTO alert_latest VALUES (?,?,?,?,?,?,?)
      ON CONFLICT (alert_id) DO UPDATE SET sequence = excluded.sequence, kind = excluded.kind, state = excluded.state,
        port_id = excluded.port_id, event_time = excluded.event_time, body = excluded.body
      WHERE excluded.sequence >= alert_latest.sequence`);
    this.#states = db.prepare('SELECT body FROM alert_states WHERE alert_id = ? ORDER BY sequence');
    this.#onPort = db.prepare('SELECT body FROM alert_states WHERE port_id = ? AND window_start >= ? AND window_start < ? ORDER BY window_start, sequence');
    this.#recent = db.prepare(`SELECT body FROM alert_latest
      WHERE (?1 IS NULL OR port_id = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 = 0 OR state <> 'RESOLVED')
      ORDER BY event_time DESC LIMIT ?4`);
    this.#prune = db.prepare('DELETE FROM alert_states WHERE event_time < ?');
    this.#pruneLatest = db.prepare('DELETE FROM alert_latest WHERE event_time < ?');
  }

  /** Call inside a transaction (the materialiser stores offsets in the same one). */
  add(a: Alert): void {
    const id = portId(a.protocol, a.port);
    const body = JSON.stringify(a);
    this.#insert.run(a.alertId, a.sequence, a.kind, a.state, id, a.windowStart, a.eventTime, body);
    this.#latest.run(a.alertId, a.sequence, a.kind, a.state, id, a.eventTime, body);
  }

  /** Every state of one alert, FIRING first; empty when unknown. */
  states(alertId: string): Alert[] {
    return (this.#states.all(alertId) as unknown as BodyRow[]).map(parse);
  }

  /** States of the alerts of one port whose window lies in [fromMs, toMs): the chart's markers. */
  onPort(id: number, fromMs: number, toMs: number): Alert[] {
    return (this.#onPort.all(id, fromMs, toMs) as unknown as BodyRow[]).map(parse);
  }

  /** Latest state of each alert, newest first. */
  recent(q: AlertQuery): Alert[] {
    return (this.#recent.all(q.portId ?? null, q.kind ?? null, q.active === true ? 1 : 0, q.limit) as unknown as BodyRow[]).map(parse);
  }

  prune(beforeMs: number): number {
    this.#pruneLatest.run(beforeMs);
    return Number(this.#prune.run(beforeMs).changes);
  }
}

function parse(row: BodyRow): Alert {
  return JSON.parse(row.body) as Alert;
}
