/**
 * Runs work with an abort signal that fires after `ms`. The timer is cleared
 * as soon as the work settles, so no request leaves a live timer behind.
 */
export async function withDeadline<T>(
  ms: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`deadline of ${ms} ms`, 'TimeoutError'));
  }, ms);

  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
