import {
  nextSlice,
  REQUEST_HOLD_MS,
  requestStarted,
  Turns,
  waitedOn,
  yieldEvery,
} from './slices';

/** Lets the event loop turn `n` times. */
async function spin(n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await new Promise(resolve => setImmediate(resolve));
}

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
    jest.spyOn(performance, 'now').mockImplementation(() => now);
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

describe('nextSlice', () => {
  it('lets one slice of all the jobs under way run per turn of the event loop', async () => {
    // Three jobs of four slices each, and a request's hops: one per turn of the event loop
    // (what an I/O callback gets). Between two hops, one job's slice runs, not one of each.
    const events: string[] = [];
    const job = async (name: string) => {
      for (let slice = 1; slice <= 4; slice++) {
        events.push(`${name}${slice}`);
        await nextSlice();
      }
    };
    let hops = 0;
    const hop = () => {
      events.push('|');
      if (++hops < 16) setImmediate(hop);
    };
    setImmediate(hop);
    await Promise.all([job('a'), job('b'), job('c')]);
    await new Promise(resolve => setTimeout(resolve, 0));
    const between = events
      .join(' ')
      .split('|')
      .map(part => part.trim().split(' ').filter(Boolean));
    // The first slices ran before the first turn, as the jobs began; then one at a time.
    expect(between[0]).toEqual(['a1', 'b1', 'c1']);
    for (const part of between.slice(1))
      expect(part.length).toBeLessThanOrEqual(1);
    // Each job's slices in order, taken in turn (none starved).
    expect(between.flat()).toEqual([
      'a1',
      'b1',
      'c1',
      'a2',
      'b2',
      'c2',
      'a3',
      'b3',
      'c3',
      'a4',
      'b4',
      'c4',
    ]);
  });

  it('shares the turns with yieldEvery and Turns', async () => {
    const turns = new Turns();
    const events: string[] = [];
    let now = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const sliced = (async () => {
        const pause = yieldEvery(4);
        for (let step = 1; step <= 3; step++) {
          events.push(`step${step}`);
          now += 5;
          await pause();
        }
      })();
      const job = turns.run(() => events.push('job'));
      let hops = 0;
      const hop = () => {
        events.push('|');
        if (++hops < 6) setImmediate(hop);
      };
      setImmediate(hop);
      await Promise.all([sliced, job]);
      await new Promise(resolve => setTimeout(resolve, 0));
    } finally {
      jest.restoreAllMocks();
    }
    for (const part of events.join(' ').split('|').slice(1))
      expect(part.trim().split(' ').filter(Boolean).length).toBeLessThanOrEqual(
        1,
      );
    // The sliced job's first step ran at once, its second in the first turn; the job in the next.
    expect(events.filter(e => e !== '|')).toEqual([
      'step1',
      'step2',
      'job',
      'step3',
    ]);
  });
});

describe('slices while requests are answered', () => {
  afterEach(() => jest.restoreAllMocks());

  /** A slice queued now waits while the event loop turns, and runs at once after `end`. */
  async function expectHeldUntil(end: () => void): Promise<void> {
    let ran = false;
    const slice = nextSlice().then(() => (ran = true));
    await spin(10);
    expect(ran).toBe(false);
    end();
    // At the next turn, not when the hold's timer would have ended it.
    await spin(2);
    expect(ran).toBe(true);
    await slice;
  }

  it('holds slices back until the request is answered', async () => {
    expect.assertions(2);
    jest.spyOn(performance, 'now').mockImplementation(() => 1000);
    await expectHeldUntil(requestStarted());
  });

  it('holds a slice for at most REQUEST_HOLD_MS while requests keep coming', async () => {
    let now = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    const ended = requestStarted();
    try {
      let ran = 0;
      const job = (async () => {
        for (let slice = 0; slice < 2; slice++) {
          await nextSlice();
          ran++;
        }
      })();
      await spin(10);
      expect(ran).toBe(0);
      now += REQUEST_HOLD_MS;
      // The timer that ends the hold (real time), then the slice's turn.
      await new Promise(resolve => setTimeout(resolve, REQUEST_HOLD_MS + 5));
      await spin(2);
      expect(ran).toBe(1);
      // The next slice is held again, from the moment it waits.
      await spin(10);
      expect(ran).toBe(1);
      now += REQUEST_HOLD_MS;
      await new Promise(resolve => setTimeout(resolve, REQUEST_HOLD_MS + 5));
      await job;
      expect(ran).toBe(2);
    } finally {
      ended();
    }
  });

  it('times a hold with the monotonic clock, not the wall clock', async () => {
    let now = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    let wall = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => wall);
    const ended = requestStarted();
    try {
      let ran = false;
      const slice = nextSlice().then(() => (ran = true));
      await spin(10);
      // The wall clock is stepped back an hour (NTP, a resumed VM) while the request runs.
      wall -= 3_600_000;
      now += REQUEST_HOLD_MS;
      await new Promise(resolve => setTimeout(resolve, REQUEST_HOLD_MS + 5));
      await spin(2);
      expect(ran).toBe(true);
      await slice;
    } finally {
      ended();
    }
  });

  it('holds nothing back while someone waits for the background work', async () => {
    jest.spyOn(performance, 'now').mockImplementation(() => 1000);
    const ended = requestStarted();
    try {
      // A request waiting for a cluster's view, which is built in slices.
      const view = (async () => {
        for (let slice = 0; slice < 3; slice++) await nextSlice();
        return 'view';
      })();
      await expect(waitedOn(view)).resolves.toBe('view');
      // Once it is served, slices wait for the requests again.
      await expectHeldUntil(ended);
    } finally {
      ended();
    }
  });

  it('counts each request once, however often its end is told', async () => {
    expect.assertions(2);
    jest.spyOn(performance, 'now').mockImplementation(() => 1000);
    const first = requestStarted();
    first();
    first();
    // A second end of the first request does not end the second one's hold.
    await expectHeldUntil(requestStarted());
  });

  it('lets waits that fail end as well', async () => {
    jest.spyOn(performance, 'now').mockImplementation(() => 1000);
    const ended = requestStarted();
    try {
      await expect(
        waitedOn(nextSlice().then(() => Promise.reject(new Error('failed')))),
      ).rejects.toThrow('failed');
      await expectHeldUntil(ended);
    } finally {
      ended();
    }
  });
});
