import { recordBatchBytes } from './message-size.js';

describe('recordBatchBytes', () => {
  it('counts the batch header, the record, its key and headers, not only the value', () => {
    const value = Buffer.alloc(1000);
    expect(recordBatchBytes({ key: 'k', value })).toBe(61 + 36 + 1 + 1000);
    expect(recordBatchBytes({ key: 'ñ', value, headers: { 'ce-id': 'é' } })).toBe(
      61 + 36 + 2 + 1000 + 10 + 5 + 2,
    );
  });
});
