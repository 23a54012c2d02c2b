import { LRUCache } from 'lru-cache';

/**
 * How long a handled body is remembered. VOMO's last retry comes about 110 s
 * after its first try, and a standard queue redelivers within minutes.
 */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** The most bodies remembered at once; each costs about a hundred bytes. */
export const MAX_REMEMBERED_BODIES = 10_000;

/** What {@link DuplicateFilter.runOnce} did with a body. */
export type RunOutcome = 'handled' | 'duplicate';

/** Runs work at most once per body hash within a time window. */
export interface DuplicateFilter {
  /**
   * Runs `work` unless the same body was handled within the window or is
   * being handled now; a copy waits for the first and shares its failure.
   */
  runOnce(bodySha256: string, work: () => Promise<void>): Promise<RunOutcome>;
}

/** How long and how many bodies a {@link DuplicateFilter} remembers. */
export interface DuplicateFilterOptions {
  readonly windowMs?: number;
  readonly maxEntries?: number;
  /** A clock in milliseconds, for tests. */
  readonly now?: () => number;
}

/**
 * Remembers the hashes of handled bodies in memory. The memory is this
 * process's alone: in Lambda each sandbox has its own and a cold start begins
 * empty, so a copy landing in another sandbox is handled again. Handlers must
 * still be idempotent; this only spares most repeated work.
 */
export function createDuplicateFilter(
  options: DuplicateFilterOptions = {},
): DuplicateFilter {
  const handled = new LRUCache<string, true>({
    max: options.maxEntries ?? MAX_REMEMBERED_BODIES,
    ttl: options.windowMs ?? DUPLICATE_WINDOW_MS,
    ...(options.now && { perf: { now: options.now }, ttlResolution: 0 }),
  });
  const running = new Map<string, Promise<void>>();

  return {
    async runOnce(bodySha256, work) {
      if (handled.has(bodySha256)) {
        return 'duplicate';
      }

      const first = running.get(bodySha256);

      if (first !== undefined) {
        await first;
        return 'duplicate';
      }

      const pending = work();
      running.set(bodySha256, pending);

      try {
        await pending;
        handled.set(bodySha256, true);
      } finally {
        running.delete(bodySha256);
      }
      return 'handled';
    },
  };
}
