import { clientApiVersions } from './client-api-versions.js';

describe('clientApiVersions', () => {
  it('caps AddPartitionsToTxn at version 3, the last one for clients, and leaves the rest', () => {
    const apis = [
      { apiKey: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 5 },
      { apiKey: 0, name: 'Produce', minVersion: 3, maxVersion: 12 },
    ];
    expect(clientApiVersions(apis)).toEqual([
      { apiKey: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 3 },
      { apiKey: 0, name: 'Produce', minVersion: 3, maxVersion: 12 },
    ]);
    const old = [{ apiKey: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 1 }];
    expect(clientApiVersions(old)).toEqual(old);
  });
});
