import type { AlertPayload } from './receiver.ts';

/** One terminal line per verified webhook. */
export function formatAlert(payload: AlertPayload, webhookId: string): string {
  const a = payload.data;
  const time = new Date().toISOString().slice(11, 19);
  const where = `${a.protocol.toLowerCase()}/${a.port}`;
  return `${time}  webhook ✔ signature verified  ${a.state.padEnd(8)} ${a.kind} ${where} severity ${a.severity}\n` +
    `          ${a.reasons.join('\n          ')}\n          alert ${a.alertId}, webhook-id ${webhookId}`;
}
