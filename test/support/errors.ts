import { isPortentError } from '../../services/common/errors.ts';

/** The stable code of the error `fn` throws (undefined if it throws nothing): tests assert codes, never messages. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isPortentError(err) ? err.code : 'not a PortentError';
  }
  return undefined;
}
