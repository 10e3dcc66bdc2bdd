/** Shapes of the console API's answers (services/console/api/data-routes.ts); alerts are the generated Avro type. */
import type { Alert } from '../../common/avro/generated-types.ts';

export type { Alert };

export interface PortSummary {
  readonly protocol: string;
  readonly port: number;
  readonly windowStart: number;
  readonly sources: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly surging: boolean;
  readonly risk: { readonly level: string; readonly score: number; readonly alertId: string } | null;
  readonly spark: readonly number[];
}

export interface Overview {
  readonly ports: readonly PortSummary[];
  readonly alerts: readonly Alert[];
}

export interface PortSeries {
  readonly windowStart: number[];
  readonly attempts: number[];
  readonly sources: number[];
  readonly destinations: number[];
  readonly sensors: number[];
  readonly baseline: number[];
  readonly surging: boolean[];
  readonly newSources: number[];
  readonly dscSources: number[];
  readonly scanners: number[];
}

export interface AlertMarker {
  readonly alertId: string;
  readonly kind: string;
  readonly state: string;
  readonly sequence: number;
  readonly severity: string;
  readonly windowStart: number;
  readonly threshold: number;
}

export interface PortChart {
  readonly protocol: string;
  readonly port: number;
  readonly from: number;
  readonly to: number;
  /** 0: one point per window; otherwise one per bucket of this length, each its peak minute. */
  readonly bucketMs: number;
  readonly series: PortSeries;
  readonly alerts: readonly AlertMarker[];
}

export type LiveEvent =
  | { readonly type: 'stats'; readonly windows: readonly { protocol: string; port: number; windowStart: number; sources: number; ratio: number }[] }
  | { readonly type: 'alert'; readonly alert: Alert };
