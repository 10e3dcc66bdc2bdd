import { describe, expect, it } from 'vitest';
import { errorReply, formatSchemaErrors } from '../../../../services/alerter/api/error-reply.ts';
import { deliveryFailed, subscriptionNotFound } from '../../../../services/alerter/errors.ts';
import { CommonErrorCodes, PortentError } from '../../../../services/common/errors.ts';

describe('errorReply', () => {
  it('maps alerter codes to their status and keeps the message', () => {
    expect(errorReply(subscriptionNotFound('sub_1'))).toEqual({ status: 404, body: { error: { code: 'ALERTER_ERR_SUBSCRIPTION_NOT_FOUND', message: 'subscription sub_1 not found' } } });
  });

  it('hides the text of server errors', () => {
    const internal = { status: 500, body: { error: { code: 'ALERTER_ERR_INTERNAL', message: 'internal error' } } };
    expect(errorReply(new Error('connect ECONNREFUSED 10.0.0.7:9092'))).toEqual(internal);
    expect(errorReply(new PortentError(CommonErrorCodes.KAFKA_UNAVAILABLE, 'broker 10.0.0.7 down'))).toEqual(internal);
    expect(errorReply(deliveryFailed({ reason: 'status', status: 500, attempt: 1, subscriptionId: 's' }, 'detail', true))).toEqual(internal);
    expect(errorReply('thrown string')).toEqual(internal);
  });
});

describe('formatSchemaErrors', () => {
  it('names the field for every keyword', () => {
    const err = formatSchemaErrors(
      [
        { keyword: 'additionalProperties', instancePath: '', schemaPath: '#', params: { additionalProperty: 'colour' }, message: 'must NOT have additional properties' },
        { keyword: 'required', instancePath: '', schemaPath: '#', params: { missingProperty: 'url' }, message: "must have required property 'url'" },
        { keyword: 'maximum', instancePath: '/ports/1', schemaPath: '#', params: {}, message: 'must be <= 65535' },
      ],
      'body',
    );
    expect(err.message).toBe('body/colour is not an allowed property, body/url is required, body/ports/1 must be <= 65535');
  });
});
