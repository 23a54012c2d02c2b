import { randomBytes } from 'node:crypto';
import { parseSigningKeys } from '../functions/receiver/signing-keys.js';

/** Where local mode's signing keys come from, as given by the environment. */
export interface LocalKeySettings {
  /** One key that every configured organization signs with. */
  readonly signingKey?: string | undefined;
  /** The secret's JSON: `{"1": "key", "2": ["new", "old"]}`. */
  readonly signingKeys?: string | undefined;
}

/** The key-store text local mode serves, and the key it made up, if any. */
export interface LocalKeys {
  readonly text: string;
  readonly generatedKey?: string;
}

const GENERATED_KEY_BYTES = 32;

/**
 * Chooses local mode's keys: a key map as given, one key for every configured
 * organization, or, with neither, a fresh random key so that no well-known
 * key is ever accepted by default.
 */
export function resolveLocalKeys(
  settings: LocalKeySettings,
  organizationIds: readonly string[],
): LocalKeys {
  const { signingKey, signingKeys } = settings;

  if (signingKey && signingKeys) {
    throw new Error('set VOMO_SIGNING_KEY or VOMO_SIGNING_KEYS, not both');
  }

  if (signingKeys) {
    checkKeyMap(signingKeys);
    return { text: signingKeys };
  }

  if (signingKey) {
    return { text: keysForEveryOrganization(signingKey, organizationIds) };
  }

  const generatedKey = randomBytes(GENERATED_KEY_BYTES).toString('hex');
  return {
    text: keysForEveryOrganization(generatedKey, organizationIds),
    generatedKey,
  };
}

/** The key-store text giving every listed organization the same key. */
export function keysForEveryOrganization(
  key: string,
  organizationIds: readonly string[],
): string {
  return JSON.stringify(
    Object.fromEntries(organizationIds.map((id) => [id, key])),
  );
}

function checkKeyMap(text: string): void {
  try {
    parseSigningKeys(text);
  } catch (error) {
    // The parser's messages never quote the text, which holds the keys.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`VOMO_SIGNING_KEYS: ${reason}`);
  }
}
