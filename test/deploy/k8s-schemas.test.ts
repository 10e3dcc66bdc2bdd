/**
 * Every object of every overlay, rendered by `kubectl kustomize`, validates
 * against its schema: kubernetes-models for the built-in kinds and KEDA
 * (ScaledObject, TriggerAuthentication),
 * Strimzi's CRD schemas (vendored in ./schemas, source noted there) for
 * KafkaTopic and KafkaUser. Then the properties the issue demands of every
 * workload: non-root, no capabilities, read-only root, probes, resources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { HEALTH_PATHS } from '../../services/common/health-server.ts';
import { OVERLAYS, hasKubectl, ofKind, podSpec, renderOverlay } from './manifests.ts';
import type { K8sObject } from './manifests.ts';

const strimziSchema = (file: string): object => JSON.parse(readFileSync(join(import.meta.dirname, 'schemas', file), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const crdValidators = {
  'kafka.strimzi.io/v1/KafkaTopic': ajv.compile(strimziSchema('kafkatopic.kafka.strimzi.io-v1.json')),
  'kafka.strimzi.io/v1/KafkaUser': ajv.compile(strimziSchema('kafkauser.kafka.strimzi.io-v1.json')),
};

type Validate = (o: K8sObject) => void;
const modelValidators: Readonly<Record<string, Validate>> = {
  'v1/ConfigMap': (o) => { new ConfigMap(o).validate(); },
  'v1/Service': (o) => { new Service(o as never).validate(); },
  'apps/v1/Deployment': (o) => { new Deployment(o as never).validate(); },
  'policy/v1/PodDisruptionBudget': (o) => { new PodDisruptionBudget(o as never).validate(); },
  'networking.k8s.io/v1/NetworkPolicy': (o) => { new NetworkPolicy(o as never).validate(); },
  'keda.sh/v1alpha1/ScaledObject': (o) => { new ScaledObject(o as never).validate(); },
  'keda.sh/v1alpha1/TriggerAuthentication': (o) => { new TriggerAuthentication(o as never).validate(); },
};

function validate(o: K8sObject): void {
  const key = `${o.apiVersion}/${o.kind}`;
  const what = `${key} ${o.metadata.name}`;
  const model = modelValidators[key];
  if (model !== undefined) {
    model(o);
    return;
  }
  const crd = key in crdValidators ? crdValidators[key as keyof typeof crdValidators] : undefined;
  if (crd === undefined) throw new Error(`${what}: no schema to validate it against`);
  if (!crd(o)) throw new Error(`${what}: ${ajv.errorsText(crd.errors)}`);
}

describe.skipIf(!hasKubectl())('kubernetes manifests', () => {
  if (!hasKubectl()) console.warn('kubectl not found: the Kubernetes manifest tests are skipped (CI has it)');

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const objects = renderOverlay(overlay);

    it('renders every object in the overlay namespace', () => {
      expect(objects.length).toBeGreaterThan(20);
      const namespaces = new Set(objects.map((o) => o.metadata.namespace));
      expect(namespaces).toEqual(new Set([overlay === 'dev' ? 'portent-dev' : 'portent']));
    });

    it('validates every object against its schema', () => {
      const failures = objects.flatMap((o) => {
        try {
          validate(o);
          return [];
        } catch (err) {
          return [`${o.kind} ${o.metadata.name}: ${err instanceof Error ? err.message : String(err)}`];
        }
      });
      expect(failures).toEqual([]);
    });

    it('runs every workload non-root, without capabilities, on a read-only root filesystem', () => {
      for (const d of ofKind(objects, 'Deployment')) {
        const pod = podSpec(d);
        expect(pod.securityContext, d.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.securityContext?.runAsUser, d.metadata.name).toBeGreaterThan(0);
        for (const c of pod.containers) {
          expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
          expect(Object.keys(c.resources?.requests ?? {}), c.name).toEqual(expect.arrayContaining(['cpu', 'memory']));
          expect(Object.keys(c.resources?.limits ?? {}), c.name).toEqual(expect.arrayContaining(['cpu', 'memory']));
        }
      }
    });

    it('gives every workload probes whose liveness never asks about the broker', () => {
      for (const d of ofKind(objects, 'Deployment')) {
        for (const c of podSpec(d).containers) {
          expect(c.livenessProbe?.httpGet?.path, c.name).toBe(HEALTH_PATHS.liveness);
          expect(c.startupProbe?.httpGet?.path, c.name).toBe(HEALTH_PATHS.liveness);
          expect(c.readinessProbe?.httpGet?.path, c.name).toBe(HEALTH_PATHS.readiness);
        }
      }
    });

    it('has a PodDisruptionBudget and, for the detector and alerter, a lag-driven ScaledObject', () => {
      const pdbTargets = ofKind(objects, 'PodDisruptionBudget').map((p) => (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels['app.kubernetes.io/name']);
      expect(pdbTargets.sort()).toEqual(['portent-alerter', 'portent-detector']);
      const scaled = ofKind(objects, 'ScaledObject').map((s) => s.spec as { scaleTargetRef: { name: string }; triggers: { type: string }[] });
      expect(scaled.map((s) => s.scaleTargetRef.name).sort()).toEqual(['portent-alerter', 'portent-detector']);
      for (const s of scaled) expect(s.triggers.map((t) => t.type)).toEqual(['kafka']);
    });

    it('lets only the alerter reach beyond Kafka and DNS', () => {
      const policies = ofKind(objects, 'NetworkPolicy').map((p) => ({ name: p.metadata.name, spec: p.spec as { podSelector: { matchLabels?: Record<string, string> }; egress?: { to: { ipBlock?: { cidr: string } }[] }[] } }));
      const deny = policies.find((p) => p.name === 'portent-default-deny');
      expect(deny?.spec).toMatchObject({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const withIpBlocks = policies.filter((p) => (p.spec.egress ?? []).some((e) => e.to.some((t) => t.ipBlock !== undefined)));
      expect(withIpBlocks.map((p) => p.spec.podSelector.matchLabels)).toEqual([{ 'app.kubernetes.io/name': 'portent-alerter' }]);
    });
  });

  it('the validators reject a broken object of each custom kind', () => {
    expect(() => { validate({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't', labels: { 'strimzi.io/cluster': 'c' } }, spec: { partitions: 0 } }); }).toThrow(/partitions/);
    expect(() => { validate({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'u', labels: { 'strimzi.io/cluster': 'c' } }, spec: { authorization: { type: 'simple', acls: [{ resource: { type: 'topic' }, operations: ['Wrte'] }] } } }); }).toThrow(/operations/);
    expect(() => { validate({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's' }, spec: { scaleTargetRef: { name: 'x' } } }); }).toThrow(/triggers/);
    expect(() => { validate({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'a' }, spec: { secretTargetRef: [{ parameter: 'password', name: 'portent-keda' }] } }); }).toThrow(/key/);
    expect(() => { validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, replicas: 'two', template: {} } }); }).toThrow(/replicas/);
  });
});
