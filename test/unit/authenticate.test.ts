import { describe, expect, it, vi } from 'vitest';
import { readSample } from '../../events/index.js';
import { authenticate } from '../../functions/receiver/authenticate.js';
import { signBody } from '../../functions/receiver/signature.js';
import {
  createSigningKeyStore,
  KEY_REFRESH_INTERVAL_MS,
  KeyStoreUnavailableError,
} from '../../functions/receiver/signing-keys.js';
import {
  OTHER_ORGANIZATION_ID,
  ROTATED_KEY,
  TEST_KEYS_SECRET,
  TEST_ORGANIZATION_ID,
  TEST_SIGNING_KEY,
  UNKNOWN_KEY,
} from '../fixtures/keys.js';

const BODY = readSample('campaign.created');

function digestOf(key: string): Buffer {
  return Buffer.from(signBody(BODY, key), 'hex');
}

function createStore(secret = TEST_KEYS_SECRET) {
  const state = { secret, now: 0 };
  const source = vi.fn(async () => state.secret);
  const store = createSigningKeyStore({ source, now: () => state.now });
  return { store, source, state };
}

describe('authenticate', () => {
  it('accepts a body signed with the organization key', async () => {
    const { store } = createStore();

    const failure = await authenticate(
      store,
      TEST_ORGANIZATION_ID,
      BODY,
      digestOf(TEST_SIGNING_KEY),
    );

    expect(failure).toBeUndefined();
  });

  it('names a signature made with another key a mismatch', async () => {
    const { store } = createStore();

    const failure = await authenticate(
      store,
      TEST_ORGANIZATION_ID,
      BODY,
      digestOf(UNKNOWN_KEY),
    );

    expect(failure).toBe('signature-mismatch');
  });

  it('names an organization without keys unknown', async () => {
    const { store } = createStore();

    const failure = await authenticate(store, 404, BODY, digestOf(UNKNOWN_KEY));

    expect(failure).toBe('organization-unknown');
  });

  it('reads the store again to find a key set after the first read', async () => {
    const { store, source, state } = createStore();
    await store.keysFor(OTHER_ORGANIZATION_ID);
    state.secret = JSON.stringify({ [TEST_ORGANIZATION_ID]: ROTATED_KEY });
    state.now = KEY_REFRESH_INTERVAL_MS;

    const failure = await authenticate(
      store,
      TEST_ORGANIZATION_ID,
      BODY,
      digestOf(ROTATED_KEY),
    );

    expect(failure).toBeUndefined();
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('does not read the store again within the refresh interval', async () => {
    const { store, source } = createStore();
    await authenticate(store, 404, BODY, digestOf(UNKNOWN_KEY));
    source.mockClear();

    const failure = await authenticate(store, 405, BODY, digestOf(UNKNOWN_KEY));

    expect(failure).toBe('organization-unknown');
    expect(source).not.toHaveBeenCalled();
  });

  it('lets an unreadable store fail as KeyStoreUnavailableError', async () => {
    const store = createSigningKeyStore({
      source: async () => {
        throw new Error('access denied');
      },
    });

    const checking = authenticate(
      store,
      TEST_ORGANIZATION_ID,
      BODY,
      digestOf(TEST_SIGNING_KEY),
    );

    await expect(checking).rejects.toBeInstanceOf(KeyStoreUnavailableError);
  });
});
