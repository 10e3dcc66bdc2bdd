import { PortentError } from '../common/errors.ts';
import type { PortentErrorOptions } from '../common/errors.ts';

/** Stable codes of the detector's own failures (decoding failures use the common PORTENT_ERR_AVRO_* codes). */
export const DetectorErrorCodes = {
  EMPTY_RECORD: 'DETECTOR_ERR_EMPTY_RECORD',
  LATE_EVENT: 'DETECTOR_ERR_LATE_EVENT',
  /** The transport cannot seek, which resuming from a checkpoint older than the committed offsets needs. */
  SEEK_UNSUPPORTED: 'DETECTOR_ERR_SEEK_UNSUPPORTED',
} as const;

export type DetectorErrorCode = (typeof DetectorErrorCodes)[keyof typeof DetectorErrorCodes];

export class DetectorError extends PortentError<DetectorErrorCode> {
  constructor(code: DetectorErrorCode, message: string, options: PortentErrorOptions = {}) {
    super(code, message, options);
    this.name = 'DetectorError';
  }
}
