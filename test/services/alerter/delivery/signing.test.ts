import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createPublicKey, verify } from 'node:crypto';
import { sign, signatureHeaders } from '../../../../services/alerter/delivery/signing.ts';
import { ed25519Key, generateEd25519, generateSecret, publicKeyOf, secretKey } from '../../../../services/alerter/secrets.ts';

const body = JSON.stringify({ type: 'portent.alert.surge.firing', timestamp: '2026-11-27T08:01:00.000Z', data: { port: 445 } });

function content(at = new Date()) {
  return { id: 'msg_surge-tcp-445_0', timestamp: Math.floor(at.getTime() / 1000), body };
}

describe('signing', () => {
  it('produces signatures the standardwebhooks library verifies', () => {
    const secret = generateSecret();
    const headers = signatureHeaders(content(), [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('produces signatures the library rejects once the body is tampered with', () => {
    const secret = generateSecret();
    const headers = signatureHeaders(content(), [secret]);
    expect(() => new Webhook(secret).verify(body.replace('445', '446'), headers)).toThrow(/signature/i);
  });

  it('binds the id and the timestamp into the signature', () => {
    const secret = generateSecret();
    const headers = signatureHeaders(content(), [secret]);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other_0' })).toThrow();
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-timestamp': later })).toThrow();
  });

  it('matches the library signature byte for byte', () => {
    const secret = generateSecret();
    const at = new Date('2026-11-27T08:01:00Z');
    expect(sign(content(at), secret)).toBe(new Webhook(secret).sign('msg_surge-tcp-445_0', at, body));
  });

  it('sends one space-separated signature per secret, each verifying on its own', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders(content(), [oldSecret, newSecret]);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it('refuses secrets without the prefix, not base64 or too short, without echoing them', () => {
    for (const bad of ['c2VjcmV0', 'whsec_not base64!', `whsec_${Buffer.alloc(16).toString('base64')}`]) {
      expect(() => secretKey(bad)).toThrow(expect.objectContaining({ code: 'ALERTER_ERR_SECRET_INVALID' }));
      expect(() => secretKey(bad)).not.toThrow(bad);
    }
  });

  it('refuses a message id containing a full stop', () => {
    expect(() => sign({ ...content(), id: 'msg_a.b' }, generateSecret())).toThrow(/must not contain/);
  });
});

describe('Ed25519 signing', () => {
  it('adds a v1a signature that verifies with the published whpk_ public key', () => {
    const pair = generateEd25519();
    const c = content();
    const headers = signatureHeaders(c, [generateSecret()], ed25519Key(pair.privateKey));
    const v1a = headers['webhook-signature']?.split(' ').find((s) => s.startsWith('v1a,'));
    expect(v1a).toBeDefined();
    // A receiver rebuilds the key from the 32 raw bytes behind whpk_ (RFC 8410 SPKI prefix + key).
    const raw = Buffer.from(pair.publicKey.slice('whpk_'.length), 'base64');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const signed = Buffer.from(`${c.id}.${c.timestamp}.${c.body}`);
    expect(verify(null, signed, key, Buffer.from(v1a?.slice(4) ?? '', 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${c.id}.${c.timestamp}.tampered`), key, Buffer.from(v1a?.slice(4) ?? '', 'base64'))).toBe(false);
    expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
  });
});
