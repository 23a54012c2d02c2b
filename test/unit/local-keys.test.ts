import { describe, expect, it } from 'vitest';
import { parseSigningKeys } from '../../functions/receiver/signing-keys.js';
import {
  keysForEveryOrganization,
  resolveLocalKeys,
} from '../../local/local-keys.js';
import {
  OTHER_ORGANIZATION_KEY,
  TEST_KEYS_SECRET,
  TEST_SIGNING_KEY,
} from '../fixtures/keys.js';

const ORGANIZATIONS = ['1', '2'];

describe('keysForEveryOrganization', () => {
  it('gives each organization the same key', () => {
    const keys = parseSigningKeys(
      keysForEveryOrganization(TEST_SIGNING_KEY, ORGANIZATIONS),
    );

    expect(keys.get('1')).toEqual([TEST_SIGNING_KEY]);
    expect(keys.get('2')).toEqual([TEST_SIGNING_KEY]);
    expect(keys.size).toBe(2);
  });
});

describe('resolveLocalKeys', () => {
  it('serves one key for every configured organization', () => {
    const keys = resolveLocalKeys(
      { signingKey: TEST_SIGNING_KEY },
      ORGANIZATIONS,
    );

    expect(keys.generatedKey).toBeUndefined();
    expect(parseSigningKeys(keys.text).get('2')).toEqual([TEST_SIGNING_KEY]);
  });

  it('serves a key map as given', () => {
    const keys = resolveLocalKeys(
      { signingKeys: TEST_KEYS_SECRET },
      ORGANIZATIONS,
    );

    expect(keys.text).toBe(TEST_KEYS_SECRET);
    expect(parseSigningKeys(keys.text).get('2')).toEqual([
      OTHER_ORGANIZATION_KEY,
    ]);
  });

  it('rejects a key map that is not JSON without quoting it', () => {
    const text = `{"1": "${TEST_SIGNING_KEY}"`;

    const resolve = () =>
      resolveLocalKeys({ signingKeys: text }, ORGANIZATIONS);

    expect(resolve).toThrow(/^VOMO_SIGNING_KEYS: /);
    expect(resolve).not.toThrow(TEST_SIGNING_KEY);
  });

  it('rejects a key map of the wrong shape', () => {
    expect(() =>
      resolveLocalKeys({ signingKeys: '{"1": 42}' }, ORGANIZATIONS),
    ).toThrow(/^VOMO_SIGNING_KEYS: .*organization ids/);
  });

  it('refuses a single key and a key map at once', () => {
    expect(() =>
      resolveLocalKeys(
        { signingKey: TEST_SIGNING_KEY, signingKeys: TEST_KEYS_SECRET },
        ORGANIZATIONS,
      ),
    ).toThrow('not both');
  });

  it('makes up a fresh random key when none is given', () => {
    const first = resolveLocalKeys({}, ORGANIZATIONS);
    const second = resolveLocalKeys({}, ORGANIZATIONS);

    expect(first.generatedKey).toMatch(/^[0-9a-f]{64}$/);
    expect(second.generatedKey).not.toBe(first.generatedKey);
    expect(parseSigningKeys(first.text).get('1')).toEqual([first.generatedKey]);
  });

  it('treats empty settings as unset', () => {
    const keys = resolveLocalKeys(
      { signingKey: '', signingKeys: '' },
      ORGANIZATIONS,
    );

    expect(keys.generatedKey).toMatch(/^[0-9a-f]{64}$/);
  });
});
