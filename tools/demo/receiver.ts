/**
 * The demo's webhook receiver: a real HTTP server on 127.0.0.1 that checks
 * each delivery's Standard Webhooks signature with the `standardwebhooks`
 * library (as a subscriber would) and prints the alert. The body is a
 * structured CloudEvent (the alerter's default format): the alert is its `data`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface AlertPayload {
  readonly specversion: string;
  /** The CloudEvent id, equal to the webhook-id. */
  readonly id: string;
  readonly type: string;
  readonly data: {
    readonly alertId: string;
    readonly state: string;
    readonly kind: string;
    readonly protocol: string;
    readonly port: number;
    readonly severity: string;
    readonly reasons: readonly string[];
  };
}

export interface DemoReceiver {
  readonly url: string;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startDemoReceiver(onAlert: (payload: AlertPayload, webhookId: string) => void, onBad: (why: string) => void): Promise<DemoReceiver> {
  let verifier: Webhook | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      try {
        if (verifier === undefined) throw new Error('no secret yet');
        const payload = verifier.verify(body, headers) as AlertPayload;
        res.statusCode = 204;
        onAlert(payload, headers['webhook-id'] ?? '');
      } catch (err) {
        res.statusCode = 401;
        onBad(`rejected a webhook: ${(err as Error).message}`);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/portent`,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
  };
}
