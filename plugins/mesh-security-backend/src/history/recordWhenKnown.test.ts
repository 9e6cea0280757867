import { recordWhenKnown } from './HistoryRecorder';

describe('recordWhenKnown', () => {
  it('tries again while nothing is recorded (catalog not listed yet, clusters pending)', async () => {
    const results = [0, 0, 7, 9];
    const record = jest.fn(async () => ({ recorded: results.shift()! }));
    await recordWhenKnown(record, undefined, { waitMs: 1 });
    expect(record).toHaveBeenCalledTimes(3);
  });

  it('gives up after the last attempt without waiting again', async () => {
    const record = jest.fn(async () => ({ recorded: 0 }));
    await recordWhenKnown(record, undefined, { attempts: 4, waitMs: 1 });
    expect(record).toHaveBeenCalledTimes(4);
  });

  it('stops waiting as soon as the task is aborted', async () => {
    const controller = new AbortController();
    const record = jest.fn(async () => {
      controller.abort();
      return { recorded: 0 };
    });
    await recordWhenKnown(record, controller.signal, { waitMs: 60_000 });
    expect(record).toHaveBeenCalledTimes(1);
  });
});
