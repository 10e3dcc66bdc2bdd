import type { DetectorOptions } from '../../../services/detector/detector.ts';

/** The detector's defaults with small Bloom filters (tests make many detectors). */
export const testOptions: DetectorOptions = {
  windowMs: 60_000, allowedLatenessMs: 10_000, factor: 3, madK: 6, minSources: 20, warmupWindows: 5, baselineWindows: 60,
  resolveAfterWindows: 2, updateMinWindows: 3, spikeMaxWindows: 15, topSources: 3,
  riskHoldWindows: 10,
  hllPrecision: 14, scannerDestinations: 20, maxTracked: 4096, destinationCap: 1024, bloomBits: 18, advisoryRecentDays: 90,
};
