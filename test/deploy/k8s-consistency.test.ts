/**
 * The manifests agree with the code: every topic the code uses has a
 * KafkaTopic with the code's cleanup policy and retention, and no KafkaTopic
 * is left over; every variable a container gets is a setting of that service
 * and the whole environment passes the service's own config check; probe
 * ports are the ports the services listen on and probe paths answer there;
 * ACLs and KEDA triggers name real topics and the configured groups.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TObject } from '@sinclair/typebox';
import { alerterSettings } from '../../services/alerter/config.ts';
import { buildApp } from '../../services/alerter/app.ts';
import { loadConfig } from '../../services/common/config.ts';
import { startHealthServer } from '../../services/common/health-server.ts';
import type { HealthServer } from '../../services/common/health-server.ts';
import { topicNames, topicSpecs } from '../../services/common/kafka/topics.ts';
import { createLogger } from '../../services/common/logger.ts';
import { detectorSettings } from '../../services/detector/config.ts';
import { sensorSettings } from '../../services/sensor/config.ts';
import { OVERLAYS, containerEnv, hasKubectl, named, ofKind, podSpec, renderOverlay } from './manifests.ts';
import type { Container, K8sObject } from './manifests.ts';
import { memoryStore } from '../services/alerter/fixtures.ts';

const quiet = createLogger('test', 'silent');
/** Data topics take the partition count the operator chooses; this marks them. */
const SCALED = 7777;
const TOKEN = 'placeholder-token-0123456789';

const services: Readonly<Record<string, { schema: TObject; prefix: string; portSetting: string }>> = {
  detector: { schema: detectorSettings, prefix: 'PORTENT_DETECTOR_', portSetting: 'PORTENT_DETECTOR_HEALTH_PORT' },
  alerter: { schema: alerterSettings, prefix: 'PORTENT_ALERTER_', portSetting: 'PORTENT_ALERTER_HTTP_PORT' },
  sensor: { schema: sensorSettings, prefix: 'PORTENT_SENSOR_', portSetting: 'PORTENT_SENSOR_HEALTH_PORT' },
};

function serviceOf(container: Container): (typeof services)[string] {
  const svc = services[container.name];
  if (svc === undefined) throw new Error(`container ${container.name} is not a Portent service`);
  return svc;
}

interface TopicSpecK8s { topicName: string; partitions: number; replicas: number; config: Record<string, string> }

describe.skipIf(!hasKubectl())('manifests against the code', () => {
  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const objects = renderOverlay(overlay);
    const prefix = named(objects, 'ConfigMap', 'portent-detector').data?.['PORTENT_TOPIC_PREFIX'] ?? '';
    const code = topicSpecs(topicNames(prefix), SCALED);
    const topics = ofKind(objects, 'KafkaTopic').map((t) => t.spec as TopicSpecK8s);

    it('has a KafkaTopic for every topic in topics.ts and none other', () => {
      expect(topics.map((t) => t.topicName).sort()).toEqual(code.map((t) => t.name).sort());
    });

    it('gives each KafkaTopic the cleanup policy, retention and fixed partition count the code expects', () => {
      for (const spec of code) {
        const topic = topics.find((t) => t.topicName === spec.name);
        expect(topic?.config, spec.name).toMatchObject(spec.config);
        if (spec.partitions !== SCALED) expect(topic?.partitions, spec.name).toBe(spec.partitions);
        expect(Number(topic?.config['min.insync.replicas']), spec.name).toBeLessThanOrEqual(Math.max(1, (topic?.replicas ?? 0) - 1));
      }
    });

    it('sets only settings the service declares, and its whole environment passes its config check', { timeout: 60_000 }, () => {
      for (const d of ofKind(objects, 'Deployment')) {
        for (const c of podSpec(d).containers) {
          const svc = serviceOf(c);
          const env = containerEnv(objects, c, () => TOKEN);
          const declared = Object.keys(svc.schema.properties);
          expect(Object.keys(env).filter((k) => !declared.includes(k)), c.name).toEqual([]);
          // Throws, listing every problem, if a required setting is missing or a value is invalid.
          expect(() => loadConfig(svc.schema, env, [svc.prefix]), c.name).not.toThrow();
        }
      }
    });

    it('probes the port the service is configured to listen on', () => {
      for (const d of ofKind(objects, 'Deployment')) {
        for (const c of podSpec(d).containers) {
          const port = Number(containerEnv(objects, c, () => TOKEN)[serviceOf(c).portSetting]);
          for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
            const named = probe?.httpGet?.port;
            const resolved = typeof named === 'number' ? named : c.ports?.find((p) => p.name === named)?.containerPort;
            expect(resolved, c.name).toBe(port);
          }
        }
      }
    });

    it('gives the detector changelog one partition per connections partition', () => {
      const partitions = (name: string): number | undefined => topics.find((t) => t.topicName === name)?.partitions;
      expect(partitions(topicNames(prefix).detectorState)).toBe(partitions(topicNames(prefix).connections));
    });

    it('points every directory setting at a mounted volume, and sizes the sensor spool volume for the spool', () => {
      const bytes = (q: string): number => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number.NaN) * 1024 * 1024;
      for (const d of ofKind(objects, 'Deployment')) {
        const pod = podSpec(d);
        for (const c of pod.containers) {
          const env = containerEnv(objects, c, () => TOKEN);
          for (const [key, dir] of Object.entries(env).filter(([k]) => k.endsWith('_DIR'))) {
            const mount = c.volumeMounts?.find((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`));
            expect(mount, `${c.name} ${key}`).toBeDefined();
            if (key === 'PORTENT_SENSOR_SPOOL_DIR') {
              const limit = pod.volumes?.find((v) => v.name === mount?.name)?.emptyDir?.sizeLimit ?? '';
              expect(bytes(limit), `${c.name} spool volume`).toBeGreaterThanOrEqual(Number(env['PORTENT_SENSOR_SPOOL_MAX_BYTES']));
            }
          }
        }
      }
    });

    it('names only real topics in ACLs and KEDA triggers, and the configured consumer groups', () => {
      const names = new Set(code.map((t) => t.name));
      for (const user of ofKind(objects, 'KafkaUser')) {
        const acls = (user.spec as { authorization: { acls: { resource: { type: string; name?: string } }[] } }).authorization.acls;
        for (const acl of acls) if (acl.resource.type === 'topic') expect(names.has(acl.resource.name ?? ''), `${user.metadata.name} ${acl.resource.name ?? ''}`).toBe(true);
      }
      const groups: Record<string, string | undefined> = {
        'portent-detector': named(objects, 'ConfigMap', 'portent-detector').data?.['PORTENT_DETECTOR_GROUP_ID'],
        'portent-alerter': named(objects, 'ConfigMap', 'portent-alerter').data?.['PORTENT_ALERTER_GROUP_ID'],
      };
      const input: Record<string, string> = { 'portent-detector': topicNames(prefix).connections, 'portent-alerter': topicNames(prefix).alerts };
      for (const so of ofKind(objects, 'ScaledObject')) {
        const spec = so.spec as { scaleTargetRef: { name: string }; maxReplicaCount: number; triggers: { metadata: Record<string, string> }[] };
        const target = spec.scaleTargetRef.name;
        expect(spec.triggers[0]?.metadata, target).toMatchObject({ consumerGroup: groups[target], topic: input[target] });
        // Replicas beyond the input topic's partitions would sit idle.
        expect(spec.maxReplicaCount, target).toBeLessThanOrEqual(topics.find((t) => t.topicName === input[target])?.partitions ?? 0);
      }
    });

    it('keeps secret values out of the manifests', () => {
      expect(ofKind(objects, 'Secret')).toEqual([]);
      const alerter = podSpec(named(objects, 'Deployment', 'portent-alerter')).containers[0];
      expect(alerter?.env?.find((e) => e.name === 'PORTENT_ALERTER_API_TOKENS')?.valueFrom?.secretKeyRef).toBeDefined();
    });
  });

  describe('probe paths', () => {
    const servers: HealthServer[] = [];
    afterAll(() => Promise.all(servers.map((s) => s.close())));
    const deployments: K8sObject[] = OVERLAYS.flatMap((o) => ofKind(renderOverlay(o), 'Deployment'));
    const paths = (name: string): string[] => [...new Set(deployments.flatMap((d) => podSpec(d).containers.filter((c) => c.name === name)).flatMap((c) => [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet?.path ?? '')))];

    it('answer on the alerter app', { timeout: 60_000 }, async () => {
      const memory = memoryStore();
      const app = buildApp({ config: { apiTokens: [TOKEN] }, clock: memory.clock, subscriptions: memory.store, logger: quiet });
      for (const path of paths('alerter')) {
        const res = await app.inject({ method: 'GET', url: path });
        expect([200, 503], path).toContain(res.statusCode);
      }
      await app.close();
    });

    it('answer on the detector and sensor health server', async () => {
      const server = await startHealthServer({ host: '127.0.0.1', port: 0, checks: { ready: () => true }, logger: quiet });
      servers.push(server);
      for (const path of [...paths('detector'), ...paths('sensor')]) {
        const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
        expect(res.status, path).toBe(200);
      }
    });
  });
});
