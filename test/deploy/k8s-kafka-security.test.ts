/**
 * The manifests connect every Kafka client (the services and KEDA's scaler)
 * the way a Strimzi cluster with a TLS listener and SCRAM-SHA-512 expects,
 * and every Secret they name will exist: Strimzi creates it (a KafkaUser's
 * Secret, the cluster CA Secret) or the operator's guide says how to create it.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OVERLAYS, ROOT, containerEnv, hasKubectl, named, ofKind, podSpec, renderOverlay } from './manifests.ts';
import type { Container, K8sObject, PodSpec } from './manifests.ts';

interface Ref { readonly name: string; readonly key: string }
interface KafkaUserSpec { authentication?: { type: string }; authorization: { acls: { resource: { type: string; name?: string }; operations: string[] }[] } }
interface Trigger { metadata: Record<string, string>; authenticationRef?: { name: string; kind?: string } }
interface TriggerAuthSpec { configMapTargetRef?: (Ref & { parameter: string })[]; secretTargetRef?: (Ref & { parameter: string })[] }

/** Secrets the guide tells the operator to create: `create secret generic <name> --from-literal=<key>=...`. */
function documentedSecrets(): Map<string, Set<string>> {
  const guide = readFileSync(join(ROOT, 'deploy', 'README.md'), 'utf8');
  const out = new Map<string, Set<string>>();
  for (const m of guide.matchAll(/create secret generic (\S+)((?: --from-literal=[\w.-]+=\S+)+)/g)) {
    const keys = [...(m[2] ?? '').matchAll(/--from-literal=([\w.-]+)=/g)].map((k) => k[1] ?? '');
    out.set(m[1] ?? '', new Set(keys));
  }
  return out;
}

/** The one Strimzi cluster the KafkaUsers and KafkaTopics belong to. */
function clusterOf(objects: readonly K8sObject[]): string {
  const clusters = new Set([...ofKind(objects, 'KafkaUser'), ...ofKind(objects, 'KafkaTopic')].map((o) => o.metadata.labels?.['strimzi.io/cluster']));
  expect(clusters.size).toBe(1);
  return [...clusters][0] ?? '';
}

/** Secrets Strimzi writes, with their keys: one per SCRAM KafkaUser (User Operator), and the cluster CA certificate (Cluster Operator). */
function strimziSecrets(objects: readonly K8sObject[], cluster: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>([[`${cluster}-cluster-ca-cert`, new Set(['ca.crt', 'ca.p12', 'ca.password'])]]);
  for (const u of ofKind(objects, 'KafkaUser')) {
    if ((u.spec as KafkaUserSpec).authentication?.type === 'scram-sha-512') out.set(u.metadata.name, new Set(['password', 'sasl.jaas.config']));
  }
  return out;
}

/** Every (Secret, key) a Deployment or TriggerAuthentication reads; `*` for a whole mounted Secret. */
function secretRefs(objects: readonly K8sObject[]): (Ref & { from: string })[] {
  const refs: (Ref & { from: string })[] = [];
  for (const d of ofKind(objects, 'Deployment')) {
    const pod = podSpec(d);
    for (const c of pod.containers) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef !== undefined) refs.push({ from: `${c.name} ${e.name}`, ...e.valueFrom.secretKeyRef });
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret === undefined) continue;
      const keys = v.secret.items?.map((i) => i.key) ?? ['*'];
      for (const key of keys) refs.push({ from: `${d.metadata.name} volume ${v.name}`, name: v.secret.secretName, key });
    }
  }
  for (const ta of ofKind(objects, 'TriggerAuthentication')) {
    for (const r of (ta.spec as TriggerAuthSpec).secretTargetRef ?? []) refs.push({ from: `TriggerAuthentication ${ta.metadata.name} ${r.parameter}`, name: r.name, key: r.key });
  }
  return refs;
}

function user(objects: readonly K8sObject[], name: string): KafkaUserSpec {
  return named(objects, 'KafkaUser', name).spec as KafkaUserSpec;
}

function passwordRef(c: Container): Ref | undefined {
  return c.env?.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef;
}

/** The Secret volume, and the key in it, that a file path of the container is read from. */
function secretFile(pod: PodSpec, c: Container, path: string): { secret: string; key: string; readOnly: boolean } | undefined {
  const mount = c.volumeMounts?.find((m) => m.mountPath === dirname(path));
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  const item = volume?.secret?.items?.find((i) => i.path === basename(path));
  return volume?.secret === undefined || item === undefined ? undefined : { secret: volume.secret.secretName, key: item.key, readOnly: mount?.readOnly === true };
}

describe.skipIf(!hasKubectl())('Kafka security in the manifests', () => {
  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const objects = renderOverlay(overlay);
    const cluster = clusterOf(objects);

    it('names only Secrets, and keys, that Strimzi creates or the guide tells the operator to create', () => {
      const known = new Map([...strimziSecrets(objects, cluster), ...documentedSecrets()]);
      const refs = secretRefs(objects);
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) {
        const keys = known.get(r.name);
        expect(keys, `${r.from}: Secret ${r.name}`).toBeDefined();
        if (r.key !== '*') expect(keys?.has(r.key), `${r.from}: key ${r.key} of ${r.name}`).toBe(true);
      }
    });

    it('connects every service over TLS with the cluster CA, as its own SCRAM-SHA-512 KafkaUser, through an allowed port', () => {
      const policy = named(objects, 'NetworkPolicy', 'portent-dns-and-kafka').spec as { podSelector: { matchLabels: Record<string, string> }; egress: { to: { podSelector?: { matchLabels?: Record<string, string> } }[]; ports: { port: number }[] }[] };
      const brokerPorts = policy.egress.filter((e) => e.to.some((t) => t.podSelector?.matchLabels?.['strimzi.io/cluster'] === cluster)).flatMap((e) => e.ports.map((p) => p.port));
      for (const d of ofKind(objects, 'Deployment')) {
        const pod = podSpec(d);
        const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
        expect(labels, d.metadata.name).toMatchObject(policy.podSelector.matchLabels);
        for (const c of pod.containers) {
          const env = containerEnv(objects, c, () => 'from-a-secret');
          expect(env, c.name).toMatchObject({ KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: `portent-${c.name}` });
          expect(passwordRef(c), c.name).toEqual({ name: env['KAFKA_SASL_USERNAME'], key: 'password' });
          expect(user(objects, env['KAFKA_SASL_USERNAME'] ?? '').authentication?.type, c.name).toBe('scram-sha-512');
          expect(secretFile(pod, c, env['KAFKA_TLS_CA_FILE'] ?? ''), c.name).toEqual({ secret: `${cluster}-cluster-ca-cert`, key: 'ca.crt', readOnly: true });
          for (const broker of (env['KAFKA_BROKERS'] ?? '').split(',')) {
            const [host, port] = broker.split(':');
            expect(host, c.name).toBe(`${cluster}-kafka-bootstrap`);
            expect(brokerPorts, `${c.name} port ${port ?? ''}`).toContain(Number(port));
          }
        }
      }
    });

    it('gives every KEDA Kafka trigger the same listener and CA, as the portent-keda user that may describe its topic and group', () => {
      const brokers = named(objects, 'ConfigMap', 'portent-detector').data?.['KAFKA_BROKERS'] ?? '';
      for (const so of ofKind(objects, 'ScaledObject')) {
        for (const trigger of (so.spec as { triggers: Trigger[] }).triggers) {
          const ref = trigger.authenticationRef;
          expect(ref?.kind ?? 'TriggerAuthentication', so.metadata.name).toBe('TriggerAuthentication');
          const auth = named(objects, 'TriggerAuthentication', ref?.name ?? '').spec as TriggerAuthSpec;
          const fromConfigMaps = Object.fromEntries((auth.configMapTargetRef ?? []).map((r) => [r.parameter, named(objects, 'ConfigMap', r.name).data?.[r.key]]));
          const fromSecrets = Object.fromEntries((auth.secretTargetRef ?? []).map((r) => [r.parameter, { name: r.name, key: r.key }]));
          expect(fromConfigMaps, so.metadata.name).toEqual({ sasl: 'scram_sha512', tls: 'enable', username: 'portent-keda' });
          expect(fromSecrets, so.metadata.name).toEqual({ password: { name: 'portent-keda', key: 'password' }, ca: { name: `${cluster}-cluster-ca-cert`, key: 'ca.crt' } });
          // KEDA's operator runs in its own namespace, so the address must name this one.
          const [host, port] = brokers.split(',')[0]?.split(':') ?? [];
          expect(trigger.metadata['bootstrapServers'], so.metadata.name).toBe(`${host ?? ''}.${so.metadata.namespace ?? ''}.svc:${port ?? ''}`);
          const acls = user(objects, 'portent-keda').authorization.acls;
          for (const [type, name] of [['topic', trigger.metadata['topic']], ['group', trigger.metadata['consumerGroup']]]) {
            expect(acls.some((a) => a.resource.type === type && a.resource.name === name && a.operations.includes('Describe')), `${so.metadata.name} ${type} ${name ?? ''}`).toBe(true);
          }
        }
      }
    });
  });
});
