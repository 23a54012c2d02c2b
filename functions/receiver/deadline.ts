/**
 * Runs work with an abort signal that fires after `ms`, and fails by then
 * even if the work ignores the signal: the AWS SDK heeds it only in some of
 * its steps (not while it resolves credentials, for one). The timer is
 * cleared once the work settles, so no request leaves a live timer behind.
 */
export function withDeadline<T>(
  ms: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();

  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const reason = new DOMException(`deadline of ${ms} ms`, 'TimeoutError');
      controller.abort(reason);
      reject(reason);
    }, ms);

    work(controller.signal)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}
