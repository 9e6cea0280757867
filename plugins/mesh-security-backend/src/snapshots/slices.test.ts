import { Turns, yieldEvery } from './slices';

describe('Turns', () => {
  it('runs jobs queued together one at a time, with the event loop turning between them', async () => {
    const turns = new Turns();
    const order: string[] = [];
    const jobs = [1, 2, 3].map(i =>
      turns.run(() => {
        order.push(`job ${i}`);
        // What a request's I/O would be: it runs before the next job.
        setImmediate(() => order.push(`request after ${i}`));
        return i;
      }),
    );
    await expect(Promise.all(jobs)).resolves.toEqual([1, 2, 3]);
    await new Promise(resolve => setImmediate(resolve));
    expect(order).toEqual([
      'job 1',
      'request after 1',
      'job 2',
      'request after 2',
      'job 3',
      'request after 3',
    ]);
  });

  it('goes on after a job that throws, which rejects its own result only', async () => {
    const turns = new Turns();
    const failed = turns.run(() => {
      throw new Error('apply failed');
    });
    const next = turns.run(() => 'next');
    await expect(failed).rejects.toThrow('apply failed');
    await expect(next).resolves.toBe('next');
  });
});

describe('yieldEvery', () => {
  it('yields to the event loop once the slice has passed', async () => {
    let now = 1000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const pause = yieldEvery(4);
      let turned = false;
      setImmediate(() => (turned = true));
      await pause();
      expect(turned).toBe(false);
      now += 5;
      await pause();
      expect(turned).toBe(true);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
