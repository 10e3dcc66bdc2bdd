import { PortentError } from '../common/errors.ts';

/**
 * Sensor error codes. Bad input never raises one of these: malformed lines
 * and packets are skipped and counted (see report.ts). These are for things
 * the operator must fix: a missing file, no tcpdump, no capture privilege.
 */
export const SensorErrorCodes = {
  INPUT_UNREADABLE: 'SENSOR_ERR_INPUT_UNREADABLE',
  /** The input is not of the chosen kind (random bytes as a pcap, a Zeek log as EVE). */
  INPUT_WRONG_TYPE: 'SENSOR_ERR_INPUT_WRONG_TYPE',
  INPUT_OPTION_MISSING: 'SENSOR_ERR_INPUT_OPTION_MISSING',
  TCPDUMP_MISSING: 'SENSOR_ERR_TCPDUMP_MISSING',
  CAPTURE_PERMISSION: 'SENSOR_ERR_CAPTURE_PERMISSION',
  CAPTURE_FAILED: 'SENSOR_ERR_CAPTURE_FAILED',
  USAGE: 'SENSOR_ERR_USAGE',
} as const;

export type SensorErrorCode = (typeof SensorErrorCodes)[keyof typeof SensorErrorCodes];

export function sensorError(code: SensorErrorCode, message: string, fields: Record<string, unknown> = {}, cause?: unknown): PortentError<SensorErrorCode> {
  return new PortentError(code, message, cause === undefined ? { fields } : { fields, cause });
}
