import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { commonSettings, loadConfig } from '../../../services/common/config.ts';
import { CommonErrorCodes, PortentError } from '../../../services/common/errors.ts';

const schema = Type.Object({
  ...commonSettings,
  PORTENT_X_COUNT: Type.Integer({ default: 3, minimum: 1 }),
  PORTENT_X_ON: Type.Boolean({ default: false }),
});

describe('loadConfig', () => {
  it('fills defaults, coerces strings and freezes the result', () => {
    const c = loadConfig(schema, { PORTENT_X_COUNT: '9', PORTENT_X_ON: 'true', HOME: '/root' }, ['PORTENT_X_']);
    expect(c).toMatchObject({ PORTENT_X_COUNT: 9, PORTENT_X_ON: true, KAFKA_BROKERS: '127.0.0.1:9092', PORTENT_TOPIC_PREFIX: 'portent.' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem at once, unknown own settings included', () => {
    let err: unknown;
    try {
      loadConfig(schema, { PORTENT_X_COUNT: '0', PORTENT_X_CUONT: '2', KAFKA_BROKERS: 'nohostport', PORTENT_OTHER_THING: '1' }, ['PORTENT_X_']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PortentError);
    const e = err as PortentError;
    expect(e.code).toBe(CommonErrorCodes.CONFIG_INVALID);
    expect(e.message).toContain('PORTENT_X_CUONT: unknown setting');
    expect(e.message).toContain('PORTENT_X_COUNT: must be >= 1');
    expect(e.message).toContain('KAFKA_BROKERS');
    expect(e.message).not.toContain('PORTENT_OTHER_THING');
  });
});
