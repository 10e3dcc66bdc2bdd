import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Subscription } from '../../common/avro/generated-types.ts';
import { KINDS, PROTOCOLS, RISK_LEVELS, SEVERITIES, STATES } from '../filters.ts';
import { FORMATS } from '../formats/body.ts';
import { publicKeyOf } from '../secrets.ts';
import { MAX_PORTS, MAX_URL_LENGTH } from '../subscriptions.ts';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const enumOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const setOf = (values: readonly string[]) => Type.Array(enumOf(values), { uniqueItems: true, maxItems: values.length });

/** Everything a caller may set; every field optional so PATCH reuses it. */
export const settingsProperties = {
  // ajv-formats' `uri` accepts any scheme; the pattern narrows it to http(s).
  url: Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: MAX_URL_LENGTH }),
  ports: Type.Array(Port, { maxItems: MAX_PORTS, uniqueItems: true, description: 'Empty (with no portRanges) = every port' }),
  portRanges: Type.Array(Type.Object({ from: Port, to: Port }, { additionalProperties: false }), { maxItems: 100 }),
  protocols: setOf(PROTOCOLS),
  kinds: setOf(KINDS),
  states: setOf(STATES),
  minSeverity: Type.Union([enumOf(SEVERITIES), Type.Null()]),
  minRisk: Type.Union([enumOf(RISK_LEVELS), Type.Null()]),
  format: enumOf(FORMATS),
  routingKey: Type.Union([Type.String({ minLength: 1, maxLength: 128, description: 'PagerDuty integration key (write-only)' }), Type.Null()]),
};

const p = settingsProperties;
const optional = {
  url: Type.Optional(p.url),
  ports: Type.Optional(p.ports),
  portRanges: Type.Optional(p.portRanges),
  protocols: Type.Optional(p.protocols),
  kinds: Type.Optional(p.kinds),
  states: Type.Optional(p.states),
  minSeverity: Type.Optional(p.minSeverity),
  minRisk: Type.Optional(p.minRisk),
  format: Type.Optional(p.format),
  routingKey: Type.Optional(p.routingKey),
};

export const CreateBody = Type.Object(
  { ...optional, url: settingsProperties.url, signing: Type.Optional(Type.Union([Type.Literal('hmac'), Type.Literal('ed25519')])) },
  { additionalProperties: false },
);
export const PatchBody = Type.Object(optional, { additionalProperties: false, minProperties: 1 });
/** How long a rotated-out secret keeps signing when the caller does not say. */
export const DEFAULT_GRACE_SECONDS = 86_400;
export const RotateBody = Type.Object(
  { graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: DEFAULT_GRACE_SECONDS })) },
  { additionalProperties: false },
);
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * What GET and list return. The response schema doubles as a filter: the
 * serializer writes only these properties, so the secret, the Ed25519 private
 * key and a PagerDuty routing key cannot leak even if a handler passed the
 * whole record.
 */
export const SubscriptionView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  ports: Type.Array(Type.Integer()),
  portRanges: Type.Array(Type.Object({ from: Type.Integer(), to: Type.Integer() })),
  protocols: Type.Array(Type.String()),
  kinds: Type.Array(Type.String()),
  states: Type.Array(Type.String()),
  minSeverity: Type.Union([Type.String(), Type.Null()]),
  minRisk: Type.Union([Type.String(), Type.Null()]),
  format: Type.String(),
  paused: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  /** Present for Ed25519 subscriptions: what receivers verify v1a signatures with. */
  publicKey: Type.Union([Type.String(), Type.Null()]),
  /** When the last rotated-out secret stops signing; null outside a grace period. */
  rotationEndsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** Only the create and rotate responses carry the secret: it is shown once, like a password. */
export const CreatedView = Type.Object({ ...SubscriptionView.properties, secret: Type.String() });
export const ListView = Type.Object({ items: Type.Array(SubscriptionView) });

export type SubscriptionViewT = Static<typeof SubscriptionView>;

export function toView(sub: Subscription, nowMs: number): SubscriptionViewT {
  const grace = sub.previousSecrets.filter((p) => p.expiresAt > nowMs).map((p) => p.expiresAt);
  return {
    id: sub.id,
    url: sub.url,
    ports: [...sub.ports],
    portRanges: sub.portRanges.map((r) => ({ from: r.from, to: r.to })),
    protocols: [...sub.protocols],
    kinds: [...sub.kinds],
    states: [...sub.states],
    minSeverity: sub.minSeverity,
    minRisk: sub.minRisk,
    format: sub.format,
    paused: sub.paused,
    disabledReason: sub.disabledReason,
    publicKey: sub.signingKey === null ? null : publicKeyOf(sub.signingKey),
    rotationEndsAt: grace.length === 0 ? null : new Date(Math.max(...grace)).toISOString(),
    createdAt: new Date(sub.createdAt).toISOString(),
    updatedAt: new Date(sub.updatedAt || sub.createdAt).toISOString(),
  };
}
