/**
 * With PORTENT_OTLP_TRACES_ENDPOINT set, spans reach an OTLP/HTTP collector:
 * here a real HTTP server on loopback standing in for the collector's
 * receiver, which records what it is sent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SpanKind, contextFromHeaders, inSpan } from '../../../../services/common/telemetry/propagation.ts';
import { startTelemetry } from '../../../../services/common/telemetry/sdk.ts';

describe('OTLP trace export', () => {
  it('posts finished spans to the configured endpoint when the service stops', async () => {
    const received: { path: string; type: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('latin1') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const telemetry = startTelemetry({ service: 'portent-otlp-test', tracesEndpoint: `http://127.0.0.1:${port}/v1/traces`, sampleRatio: 1 });
      inSpan('portent.test batch', SpanKind.PRODUCER, contextFromHeaders({}), { 'portent.port_key': 'tcp/445' }, () => undefined);
      await telemetry.shutdown();
      expect(received.map((r) => r.path)).toContain('/v1/traces');
      const body = received.map((r) => r.body).join('\n');
      expect(body).toContain('portent.test batch');
      expect(body).toContain('portent-otlp-test');
      expect(body).toContain('tcp/445');
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  });
});
