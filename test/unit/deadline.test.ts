import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../functions/receiver/deadline.js';

describe('withDeadline', () => {
  it('passes on the result of work that finishes in time', async () => {
    await expect(withDeadline(1_000, async () => 'done')).resolves.toBe('done');
  });

  it('passes on the failure of work that fails in time', async () => {
    const failing = withDeadline(1_000, async () => {
      throw new Error('refused');
    });

    await expect(failing).rejects.toThrow('refused');
  });

  it('fails on time when the work ignores its abort signal', async () => {
    const started = Date.now();

    const hanging = withDeadline(30, () => new Promise<never>(() => {}));

    await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('aborts the signal it gave the work when the deadline passes', async () => {
    let seen: AbortSignal | undefined;

    const hanging = withDeadline(10, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });

    await expect(hanging).rejects.toThrow();
    expect(seen?.aborted).toBe(true);
  });
});
