import { RequestQueue } from './request-queue.js';

const message = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes) });

describe('RequestQueue', () => {
  it('cuts requests of bounded size in arrival order, grouped by topic', () => {
    const queue = new RequestQueue(1000);
    queue.add('events', [message('a', 400), message('b', 400)]);
    expect(queue.full).toBe(false);
    queue.add('dlq', [message('c', 100)]);
    queue.add('events', [message('d', 400)]);
    expect(queue.full).toBe(true);
    // a + b + c: 3 x 64 + 900 = 1,095 bytes would pass the bound; a and b fit.
    const first = queue.take();
    expect(first).toEqual([{ topic: 'events', messages: [message('a', 400), message('b', 400)] }]);
    expect(queue.full).toBe(false);
    expect(queue.take()).toEqual([
      { topic: 'dlq', messages: [message('c', 100)] },
      { topic: 'events', messages: [message('d', 400)] },
    ]);
    expect(queue.empty).toBe(true);
  });

  it('sends a message larger than the bound alone rather than never', () => {
    const queue = new RequestQueue(100);
    queue.add('events', [message('big', 5000), message('small', 1)]);
    expect(queue.take()).toEqual([{ topic: 'events', messages: [message('big', 5000)] }]);
    expect(queue.take()).toEqual([{ topic: 'events', messages: [message('small', 1)] }]);
  });
});
