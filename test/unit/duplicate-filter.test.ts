import { describe, expect, it, vi } from 'vitest';
import {
  createDuplicateFilter,
  DUPLICATE_WINDOW_MS,
} from '../../functions/consumer/duplicate-filter.js';

const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);

// Promise.withResolvers arrived in Node 22; the project still runs on 20.
function createDeferred() {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

function createClock() {
  let now = 1_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('createDuplicateFilter', () => {
  it('runs the work for a body it has not seen', async () => {
    const filter = createDuplicateFilter();
    const work = vi.fn(async () => {});

    await expect(filter.runOnce(HASH, work)).resolves.toBe('handled');
    expect(work).toHaveBeenCalledOnce();
  });

  it('skips a body handled within the window', async () => {
    const clock = createClock();
    const filter = createDuplicateFilter({ now: clock.now });
    const work = vi.fn(async () => {});

    await filter.runOnce(HASH, work);
    clock.advance(DUPLICATE_WINDOW_MS - 1);

    await expect(filter.runOnce(HASH, work)).resolves.toBe('duplicate');
    expect(work).toHaveBeenCalledOnce();
  });

  it('runs a body again once the window has passed', async () => {
    const clock = createClock();
    const filter = createDuplicateFilter({ now: clock.now });
    const work = vi.fn(async () => {});

    await filter.runOnce(HASH, work);
    clock.advance(DUPLICATE_WINDOW_MS + 1);

    await expect(filter.runOnce(HASH, work)).resolves.toBe('handled');
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('keeps different bodies apart', async () => {
    const filter = createDuplicateFilter();
    const work = vi.fn(async () => {});

    await filter.runOnce(HASH, work);

    await expect(filter.runOnce(OTHER_HASH, work)).resolves.toBe('handled');
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('forgets the oldest body when it holds the most it may', async () => {
    const filter = createDuplicateFilter({ maxEntries: 1 });
    const work = vi.fn(async () => {});

    await filter.runOnce(HASH, work);
    await filter.runOnce(OTHER_HASH, work);

    await expect(filter.runOnce(HASH, work)).resolves.toBe('handled');
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('does not remember a body whose work failed', async () => {
    const filter = createDuplicateFilter();
    const failing = vi.fn(async () => {
      throw new Error('downstream unavailable');
    });
    const work = vi.fn(async () => {});

    await expect(filter.runOnce(HASH, failing)).rejects.toThrow(
      'downstream unavailable',
    );

    await expect(filter.runOnce(HASH, work)).resolves.toBe('handled');
  });

  it('lets a copy wait for the first run and skip it', async () => {
    const filter = createDuplicateFilter();
    const { promise, resolve } = createDeferred();
    const work = vi.fn(() => promise);

    const first = filter.runOnce(HASH, work);
    const copy = filter.runOnce(HASH, work);
    resolve();

    await expect(first).resolves.toBe('handled');
    await expect(copy).resolves.toBe('duplicate');
    expect(work).toHaveBeenCalledOnce();
  });

  it('fails a copy whose first run fails', async () => {
    const filter = createDuplicateFilter();
    const { promise, reject } = createDeferred();
    const work = vi.fn(() => promise);

    const first = filter.runOnce(HASH, work);
    const copy = filter.runOnce(HASH, work);
    reject(new Error('downstream unavailable'));

    await expect(first).rejects.toThrow('downstream unavailable');
    await expect(copy).rejects.toThrow('downstream unavailable');
    expect(work).toHaveBeenCalledOnce();
  });
});
