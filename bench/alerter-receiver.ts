/**
 * The benchmark's webhook receiver, in its own process so the alerter side's
 * CPU time is measured alone: answers every POST with 204 and reports each
 * webhook's arrival time (high resolution, on the shared clock) to its parent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const at = performance.timeOrigin + performance.now();
  req.resume();
  req.on('end', () => {
    res.writeHead(204).end();
    if (req.headers['x-bench-report'] !== undefined || process.env['REPORT'] === '1') process.send?.({ id: req.headers['webhook-id'], at });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
