/**
 * Renders the Kustomize overlays under deploy/k8s with `kubectl kustomize`
 * (the same renderer `kubectl apply -k` uses) and gives typed access to the
 * objects, for the schema and consistency tests.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..');
export const K8S_DIR = join(ROOT, 'deploy', 'k8s');
export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
  readonly data?: Readonly<Record<string, string>>;
}

/** True when kubectl is on the PATH; CI machines have it, the tests say so plainly when it is missing. */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The overlay's manifests exactly as `kubectl kustomize` prints them. */
export function renderOverlayText(overlay: Overlay): string {
  return execFileSync('kubectl', ['kustomize', join(K8S_DIR, 'overlays', overlay)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as K8sObject;
  }).filter((o) => typeof o === 'object');
}

const cache = new Map<Overlay, K8sObject[]>();

export function renderOverlay(overlay: Overlay): K8sObject[] {
  let objects = cache.get(overlay);
  if (objects === undefined) {
    objects = parseObjects(renderOverlayText(overlay));
    cache.set(overlay, objects);
  }
  return objects;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

// The parts of a pod spec the consistency tests read.
export interface Probe { readonly httpGet?: { readonly path: string; readonly port: string | number } }
export interface Container {
  readonly name: string;
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } } }[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: { readonly name: string } }[];
  readonly startupProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly securityContext?: {
    readonly allowPrivilegeEscalation?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[] };
  };
}
export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly sizeLimit?: string };
  readonly secret?: { readonly secretName: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
}
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number; readonly seccompProfile?: { readonly type: string } };
}

export function podSpec(deployment: K8sObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

/**
 * The environment a container gets: ConfigMap keys (envFrom) resolved from the
 * rendered objects, then `env` entries; a value from a Secret (never committed)
 * is `secretPlaceholder`.
 */
export function containerEnv(objects: readonly K8sObject[], container: Container, secretPlaceholder: (secret: string, key: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.secretRef !== undefined) throw new Error(`${container.name}: envFrom secretRef hides which settings are set; use env valueFrom`);
    if (from.configMapRef !== undefined) Object.assign(env, named(objects, 'ConfigMap', from.configMapRef.name).data ?? {});
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref === undefined ? (e.value ?? '') : secretPlaceholder(ref.name, ref.key);
  }
  return env;
}
