import { kafkaErrorTypes } from '../kafka-errors.js';
import { protocolErrorId, typed, withKafkaType } from './platformatic-errors.js';

const protocolError = (apiId: string) => Object.assign(new Error(apiId), { apiId });

describe('platformatic errors', () => {
  it('finds the broker error inside aggregated errors and causes', () => {
    const aggregated = Object.assign(new Error('Multiple errors'), {
      errors: [new Error('network'), new Error('x', { cause: protocolError('PRODUCER_FENCED') })],
    });
    expect(protocolErrorId(aggregated)).toBe('PRODUCER_FENCED');
    expect(protocolErrorId(new Error('plain'))).toBeUndefined();
  });

  it("sets it as the error's type, which the rules above the seam read", async () => {
    const error = Object.assign(new Error('Multiple errors'), {
      errors: [protocolError('INVALID_PRODUCER_EPOCH')],
    });
    await expect(typed(Promise.reject(error))).rejects.toBe(error);
    expect(kafkaErrorTypes(error)).toEqual(['INVALID_PRODUCER_EPOCH']);
  });

  it('leaves a type already set alone', () => {
    const error = Object.assign(protocolError('PRODUCER_FENCED'), { type: 'OTHER' });
    expect(kafkaErrorTypes(withKafkaType(error))).toEqual(['OTHER']);
  });
});
