import {
  concurrentTransactionsRetryMs,
  kafkaErrorTypes,
  retryConcurrentTransactions,
} from './kafka-errors.js';

const protocolError = (type: string) => Object.assign(new Error(type), { type });
const retriesExceeded = (original: unknown) =>
  Object.assign(new Error('retries exceeded'), { originalError: original });

describe('kafkaErrorTypes', () => {
  it('finds the codes of wrapped errors too', () => {
    expect(kafkaErrorTypes(retriesExceeded(protocolError('CONCURRENT_TRANSACTIONS')))).toEqual([
      'CONCURRENT_TRANSACTIONS',
    ]);
    expect(kafkaErrorTypes(new Error('x', { cause: protocolError('PRODUCER_FENCED') }))).toEqual([
      'PRODUCER_FENCED',
    ]);
    expect(kafkaErrorTypes('a string')).toEqual([]);
  });
});

describe('concurrentTransactionsRetryMs', () => {
  const concurrent = retriesExceeded(protocolError('CONCURRENT_TRANSACTIONS'));

  it('waits 50 ms doubling to 500 ms', () => {
    expect([1, 2, 3, 4, 5, 9].map((a) => concurrentTransactionsRetryMs(concurrent, a, 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });

  it('gives up once the budget would be spent, and on any other error', () => {
    expect(concurrentTransactionsRetryMs(concurrent, 9, 9_600, 10_000)).toBeUndefined();
    expect(concurrentTransactionsRetryMs(protocolError('NOT_COORDINATOR'), 1, 0)).toBeUndefined();
  });
});

describe('retryConcurrentTransactions', () => {
  it('sends again after refusals, and passes any other failure on at once', async () => {
    let calls = 0;
    const waits: number[] = [];
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
    const result = await retryConcurrentTransactions(
      () =>
        ++calls < 3
          ? Promise.reject(protocolError('CONCURRENT_TRANSACTIONS'))
          : Promise.resolve('sent'),
      sleep,
    );
    expect(result).toBe('sent');
    expect(waits).toEqual([50, 100]);

    await expect(
      retryConcurrentTransactions(() => Promise.reject(protocolError('NOT_COORDINATOR')), sleep),
    ).rejects.toThrow('NOT_COORDINATOR');
    expect(waits).toEqual([50, 100]);
  });
});
