import { describe, expect, it, vi } from 'vitest';
import {
  createSigningKeyStore,
  createStaticKeySource,
  KEY_CACHE_TTL_MS,
  KEY_FAILURE_BACKOFF_MS,
  KEY_REFRESH_INTERVAL_MS,
  KeyStoreFormatError,
  KeyStoreUnavailableError,
  parseSigningKeys,
} from '../../functions/receiver/signing-keys.js';
import {
  OTHER_ORGANIZATION_KEY,
  ROTATED_KEY,
  TEST_KEYS_SECRET,
  TEST_SIGNING_KEY,
} from '../fixtures/keys.js';

const ROTATING_SECRET = JSON.stringify({
  '1': [ROTATED_KEY, TEST_SIGNING_KEY],
  '2': OTHER_ORGANIZATION_KEY,
});

/** A store over a source whose text and health the test controls. */
function createTestStore() {
  const clock = { now: 0 };
  const state = { text: TEST_KEYS_SECRET, failure: undefined as unknown };
  const source = vi.fn(async () => {
    if (state.failure !== undefined) {
      throw state.failure;
    }
    return state.text;
  });
  const onStale = vi.fn();
  const store = createSigningKeyStore({
    source,
    onStale,
    now: () => clock.now,
  });

  return { store, source, onStale, clock, state };
}

describe('parseSigningKeys', () => {
  it('reads a single key as a list of one', () => {
    expect(parseSigningKeys(TEST_KEYS_SECRET)).toEqual(
      new Map([
        ['1', [TEST_SIGNING_KEY]],
        ['2', [OTHER_ORGANIZATION_KEY]],
      ]),
    );
  });

  it('keeps a list of keys newest first', () => {
    expect(parseSigningKeys(ROTATING_SECRET).get('1')).toEqual([
      ROTATED_KEY,
      TEST_SIGNING_KEY,
    ]);
  });

  it.each([
    ['text that is not JSON', `{"1": "${TEST_SIGNING_KEY}"`],
    ['a JSON array', JSON.stringify([TEST_SIGNING_KEY])],
    ['an empty key', JSON.stringify({ '1': '' })],
    ['an empty list', JSON.stringify({ '1': [] })],
    ['a list holding an empty key', JSON.stringify({ '1': ['', 'x'] })],
    ['a number as key', JSON.stringify({ '1': 42 })],
  ])('rejects %s without quoting it', (_, text) => {
    let caught: unknown;
    try {
      parseSigningKeys(text);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(KeyStoreFormatError);
    expect(String(caught)).not.toContain(TEST_SIGNING_KEY);
    expect((caught as Error).cause).toBeUndefined();
  });
});

describe('createSigningKeyStore', () => {
  it('gives the keys of an organization', async () => {
    const { store } = createTestStore();

    await expect(store.keysFor(1)).resolves.toEqual([TEST_SIGNING_KEY]);
  });

  it('gives undefined for an organization without keys', async () => {
    const { store } = createTestStore();

    await expect(store.keysFor(3)).resolves.toBeUndefined();
  });

  it('reads the source once while the copy is fresh', async () => {
    const { store, source, clock } = createTestStore();

    await store.keysFor(1);
    clock.now = KEY_CACHE_TTL_MS - 1;
    await store.keysFor(2);

    expect(source).toHaveBeenCalledOnce();
  });

  it('reads the source again once the copy has expired', async () => {
    const { store, source, clock, state } = createTestStore();
    await store.keysFor(1);

    state.text = ROTATING_SECRET;
    clock.now = KEY_CACHE_TTL_MS;

    await expect(store.keysFor(1)).resolves.toEqual([
      ROTATED_KEY,
      TEST_SIGNING_KEY,
    ]);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('shares one read among concurrent callers', async () => {
    const { store, source } = createTestStore();

    await Promise.all([store.keysFor(1), store.keysFor(2), store.keysFor(1)]);

    expect(source).toHaveBeenCalledOnce();
  });

  it('throws KeyStoreUnavailableError when the first read fails', async () => {
    const { store, state } = createTestStore();
    const failure = new Error('access denied');
    state.failure = failure;

    const keys = store.keysFor(1);

    await expect(keys).rejects.toBeInstanceOf(KeyStoreUnavailableError);
    await expect(keys).rejects.toHaveProperty('cause', failure);
  });

  it('throws KeyStoreUnavailableError when the first copy is malformed', async () => {
    const { store, state } = createTestStore();
    state.text = 'not json';

    await expect(store.keysFor(1)).rejects.toBeInstanceOf(
      KeyStoreUnavailableError,
    );
  });

  it('fails at once without a read while a failed first read is recent', async () => {
    const { store, source, clock, state } = createTestStore();
    state.failure = new Error('throttled');
    await expect(store.keysFor(1)).rejects.toThrow();
    state.failure = undefined;
    clock.now = KEY_FAILURE_BACKOFF_MS - 1;

    await expect(store.keysFor(1)).rejects.toBeInstanceOf(
      KeyStoreUnavailableError,
    );
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('tries the source again once the back-off after a failed first read ends', async () => {
    const { store, source, clock, state } = createTestStore();
    state.failure = new Error('throttled');
    await expect(store.keysFor(1)).rejects.toThrow();
    state.failure = undefined;
    clock.now = KEY_FAILURE_BACKOFF_MS;

    await expect(store.keysFor(1)).resolves.toEqual([TEST_SIGNING_KEY]);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('serves the expired copy and reports it when a read fails', async () => {
    const { store, onStale, clock, state } = createTestStore();
    await store.keysFor(1);
    const failure = new Error('timeout');
    state.failure = failure;
    clock.now = KEY_CACHE_TTL_MS;

    await expect(store.keysFor(1)).resolves.toEqual([TEST_SIGNING_KEY]);
    expect(onStale).toHaveBeenCalledExactlyOnceWith(failure);
  });

  it('retries a failing store no more often than the refresh interval', async () => {
    const { store, source, clock, state } = createTestStore();
    await store.keysFor(1);
    state.failure = new Error('timeout');
    clock.now = KEY_CACHE_TTL_MS;
    await store.keysFor(1);

    clock.now = KEY_CACHE_TTL_MS + KEY_REFRESH_INTERVAL_MS - 1;
    await store.keysFor(1);
    expect(source).toHaveBeenCalledTimes(2);

    clock.now = KEY_CACHE_TTL_MS + KEY_REFRESH_INTERVAL_MS;
    await store.keysFor(1);
    expect(source).toHaveBeenCalledTimes(3);
  });

  describe('refresh', () => {
    it('reads a key added after the first read, before the copy expires', async () => {
      const { store, clock, state } = createTestStore();
      await store.keysFor(1);
      state.text = ROTATING_SECRET;
      clock.now = KEY_REFRESH_INTERVAL_MS;

      await expect(store.refresh()).resolves.toBe(true);
      await expect(store.keysFor(1)).resolves.toEqual([
        ROTATED_KEY,
        TEST_SIGNING_KEY,
      ]);
    });

    it('declines to read again within the refresh interval', async () => {
      const { store, source, clock } = createTestStore();
      await store.keysFor(1);
      clock.now = KEY_REFRESH_INTERVAL_MS - 1;

      await expect(store.refresh()).resolves.toBe(false);
      expect(source).toHaveBeenCalledOnce();
    });

    it('counts a failed read against the interval', async () => {
      const { store, source, clock, state } = createTestStore();
      await store.keysFor(1);
      state.failure = new Error('timeout');
      clock.now = KEY_REFRESH_INTERVAL_MS;
      await store.refresh();

      clock.now = 2 * KEY_REFRESH_INTERVAL_MS - 1;

      await expect(store.refresh()).resolves.toBe(false);
      expect(source).toHaveBeenCalledTimes(2);
    });

    it('reads the store when nothing was read before', async () => {
      const { store, source } = createTestStore();

      await expect(store.refresh()).resolves.toBe(true);
      expect(source).toHaveBeenCalledOnce();
    });
  });
});

describe('createStaticKeySource', () => {
  it('gives back the text it was made with', async () => {
    const source = createStaticKeySource(TEST_KEYS_SECRET);

    await expect(source()).resolves.toBe(TEST_KEYS_SECRET);
  });

  it('rejects malformed text when it is made, not when it is read', () => {
    expect(() => createStaticKeySource('["key"]')).toThrow(KeyStoreFormatError);
  });
});
