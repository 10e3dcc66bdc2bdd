/**
 * GET /v1/events: server-sent events (text/event-stream) carrying what the
 * store has just taken in, so pages update without a reload.
 *
 * Per the HTML standard's event-stream format, each message is `event: <type>`
 * and `data: <json>` lines ended by a blank line; a line starting with ':' is
 * a comment, sent every 15 s so proxies keep the idle connection open.
 */
import type { FastifyInstance } from 'fastify';
import type { LiveFeed, LiveEvent } from '../live.ts';
import { streamOpened } from '../telemetry.ts';

export const KEEPALIVE_MS = 15_000;

export function formatEvent(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function eventRoutes(app: FastifyInstance, live: LiveFeed): void {
  app.get('/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': portent console live feed\n\n');
    const unsubscribe = live.subscribe((event) => res.write(formatEvent(event)));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    streamOpened(1);
    req.raw.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streamOpened(-1);
    });
  });
}
