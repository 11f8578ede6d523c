import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('lets at most capacity holders in, first come first served', async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const order: string[] = [];
    const third = semaphore.acquire().then((release) => (order.push('third'), release));
    const fourth = semaphore.acquire().then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(semaphore.inUse).toBe(2);
    expect(order).toEqual([]);
    first();
    first(); // a second call frees nothing more
    const releaseThird = await third;
    expect(order).toEqual(['third']);
    second();
    (await fourth)();
    releaseThird();
    expect(semaphore.inUse).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    held();
    expect(semaphore.inUse).toBe(0);
    await expect(semaphore.acquire(controller.signal)).rejects.toThrow('stop');
  });
});
