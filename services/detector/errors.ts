/**
 * The detector's error codes. Errors are the common PortentError
 * (services/common/errors.ts) with one of these codes; dead-letter and drop
 * decisions read the code, never the message. Decoding failures use the
 * common PORTENT_ERR_AVRO_* codes.
 */
export const DetectorErrorCodes = {
  /** A connections or partials record without a value (dead-lettered). */
  EMPTY_RECORD: 'DETECTOR_ERR_EMPTY_RECORD',
  /** The transport cannot seek, which resuming from a checkpoint older than the committed offsets needs. */
  SEEK_UNSUPPORTED: 'DETECTOR_ERR_SEEK_UNSUPPORTED',
} as const;

export type DetectorErrorCode = (typeof DetectorErrorCodes)[keyof typeof DetectorErrorCodes];
