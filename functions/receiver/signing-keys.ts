import * as z from 'zod/mini';

/** How long loaded keys are trusted before the store is read again. */
export const KEY_CACHE_TTL_MS = 5 * 60_000;

/** The least time between two reads forced by an unknown key or organization. */
export const KEY_REFRESH_INTERVAL_MS = 30_000;

/**
 * How long a store that has never been read is left alone after a failed
 * read. Short enough that VOMO's first retry, 10 s later, finds a key that
 * was set meanwhile; long enough that a burst of requests to an empty or
 * broken secret costs one read, not one per request.
 */
export const KEY_FAILURE_BACKOFF_MS = 5_000;

const keyList = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));
const secretSchema = z.record(
  z.string(),
  z.union([z.string().check(z.minLength(1)), keyList]),
);

/** Organization id to its signing keys, newest first. */
export type SigningKeyMap = ReadonlyMap<string, readonly string[]>;

/** Reads the raw secret text: `{"1": "key", "2": ["new", "old"]}`. */
export type KeySource = () => Promise<string>;

/** The key store could not be read and no earlier copy is at hand. */
export class KeyStoreUnavailableError extends Error {
  override readonly name = 'KeyStoreUnavailableError';
}

/** The secret was read but is not a map of organization id to key(s). */
export class KeyStoreFormatError extends Error {
  override readonly name = 'KeyStoreFormatError';
}

/** Cached access to the signing keys of every organization. */
export interface SigningKeyStore {
  /** Keys of one organization, newest first, or undefined when it has none. */
  keysFor(organizationId: number): Promise<readonly string[] | undefined>;
  /** Reads the store again unless it was read too recently; true if it was. */
  refresh(): Promise<boolean>;
}

export interface SigningKeyStoreOptions {
  readonly source: KeySource;
  readonly ttlMs?: number;
  readonly refreshIntervalMs?: number;
  readonly failureBackoffMs?: number;
  readonly now?: () => number;
  /** Told when a read fails while an older copy keeps serving. */
  readonly onStale?: (error: unknown) => void;
}

/**
 * Parses the secret's text. Errors never quote it: it holds the keys.
 */
export function parseSigningKeys(text: string): SigningKeyMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyStoreFormatError('signing keys are not valid JSON');
  }

  const result = secretSchema.safeParse(json);
  if (!result.success) {
    throw new KeyStoreFormatError(
      'signing keys must map organization ids to a key or a list of keys',
    );
  }

  const keys = new Map<string, readonly string[]>();
  for (const [id, value] of Object.entries(result.data)) {
    keys.set(id, typeof value === 'string' ? [value] : value);
  }

  return keys;
}

/**
 * Creates a store that caches the keys for a while, serves a stale copy when
 * a read fails, and reads at most once at a time whatever the concurrency.
 */
export function createSigningKeyStore(
  options: SigningKeyStoreOptions,
): SigningKeyStore {
  const ttlMs = options.ttlMs ?? KEY_CACHE_TTL_MS;
  const refreshIntervalMs =
    options.refreshIntervalMs ?? KEY_REFRESH_INTERVAL_MS;
  const failureBackoffMs = options.failureBackoffMs ?? KEY_FAILURE_BACKOFF_MS;
  const now = options.now ?? Date.now;

  let cached: SigningKeyMap | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let failedEmptyAt = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  let pending: Promise<SigningKeyMap> | undefined;

  async function load(): Promise<SigningKeyMap> {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function read(): Promise<SigningKeyMap> {
    attemptedAt = now();

    try {
      const keys = parseSigningKeys(await options.source());
      cached = keys;
      loadedAt = now();
      return keys;
    } catch (error) {
      if (cached === undefined) {
        failedEmptyAt = now();
        lastFailure = error;
        throw new KeyStoreUnavailableError('signing keys cannot be read', {
          cause: error,
        });
      }

      options.onStale?.(error);
      return cached;
    }
  }

  async function current(): Promise<SigningKeyMap> {
    if (cached !== undefined && now() - loadedAt < ttlMs) {
      return cached;
    }

    if (cached === undefined && now() - failedEmptyAt < failureBackoffMs) {
      throw new KeyStoreUnavailableError('signing keys failed to load lately', {
        cause: lastFailure,
      });
    }

    // An expired copy is retried no more often than a forced refresh, so a
    // store that is down is not hammered by every request.
    if (cached !== undefined && now() - attemptedAt < refreshIntervalMs) {
      return cached;
    }

    return load();
  }

  return {
    async keysFor(organizationId) {
      const keys = await current();
      return keys.get(String(organizationId));
    },

    async refresh() {
      if (now() - attemptedAt < refreshIntervalMs) {
        return false;
      }

      await load();
      return true;
    },
  };
}

/** A key source for local runs: one key for every organization, or a map. */
export function createStaticKeySource(text: string): KeySource {
  parseSigningKeys(text);
  return async () => text;
}
