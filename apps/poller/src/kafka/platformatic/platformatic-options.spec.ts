import { jest } from '@jest/globals';
import { MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { loadConfig } from '../../config/poller-config.js';
import { staleClusterView } from './platformatic-errors.js';
import { platformaticOptions } from './platformatic-options.js';

function options() {
  const result = loadConfig({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 'tok' });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return platformaticOptions(result.config.kafka);
}

// What the library's transaction coordinator lookup fails with when the coordinator's node is
// missing from its cached metadata (connection-pool.js), as the retry loop hands it over.
const notInMetadata = () =>
  new NetworkError(
    'Cannot get a connection: the broker is not available in the current cluster metadata.',
    { canRetry: true, hasStaleMetadata: true },
  );

describe('platformaticOptions: the retry delay', () => {
  const retryDelay = () => {
    const delay = options().retryDelay;
    if (typeof delay !== 'function') throw new Error('retryDelay is not a function');
    return delay;
  };

  it('drops the cached metadata before the next attempt when the cluster may have changed', () => {
    const client = { clearMetadata: jest.fn() };
    expect(retryDelay()(client, 'addPartitionsToTransaction', 1, 20, notInMetadata())).toBe(100);
    expect(client.clearMetadata).toHaveBeenCalledTimes(1);
    retryDelay()(client, 'produce', 3, 20, new ProtocolError('NOT_LEADER_OR_FOLLOWER'));
    retryDelay()(client, 'findCoordinator', 9, 20, new NetworkError('Connection closed'));
    expect(client.clearMetadata).toHaveBeenCalledTimes(3);
  });

  it('keeps it on a refusal that says nothing of the cluster, and backs off 100 ms doubling to 1 s', () => {
    const client = { clearMetadata: jest.fn() };
    const busy = new ProtocolError('CONCURRENT_TRANSACTIONS');
    expect([1, 2, 3, 4, 5, 20].map((n) => retryDelay()(client, 'commit', n, 20, busy))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(client.clearMetadata).not.toHaveBeenCalled();
  });
});

describe('staleClusterView', () => {
  it('finds the sign inside aggregated errors and causes', () => {
    const aggregated = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('CONCURRENT_TRANSACTIONS'),
      new Error('wrapped', { cause: notInMetadata() }),
    ]);
    expect(staleClusterView(aggregated)).toBe(true);
    expect(staleClusterView(new ProtocolError('INVALID_PRODUCER_EPOCH'))).toBe(false);
    expect(staleClusterView(new Error('plain'))).toBe(false);
  });
});
