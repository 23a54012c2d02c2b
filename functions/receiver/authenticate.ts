import { randomBytes } from 'node:crypto';
import type { RejectionReason } from './answers.js';
import { verifySignature } from './signature.js';
import type { SigningKeyStore } from './signing-keys.js';

const DECOY_KEY = randomBytes(32).toString('hex');

/**
 * Checks that the organization's keys signed the body. A miss forces one
 * read of the key store, which limits how often that may happen, so a new
 * organization or a rotated key works without waiting for the cache.
 * Undefined means verified; a thrown KeyStoreUnavailableError means unknown.
 */
export async function authenticate(
  signingKeys: SigningKeyStore,
  organizationId: number,
  body: Buffer,
  digest: Buffer,
): Promise<RejectionReason | undefined> {
  const check = async (): Promise<RejectionReason | undefined> => {
    const keys = await signingKeys.keysFor(organizationId);

    // An unknown organization costs the same HMAC as a known one, so the
    // time of a 401 does not tell which organization ids exist.
    const matches = verifySignature(body, digest, keys ?? [DECOY_KEY]);
    if (keys === undefined) {
      return 'organization-unknown';
    }
    return matches ? undefined : 'signature-mismatch';
  };

  const failure = await check();
  if (failure !== undefined && (await signingKeys.refresh())) {
    return check();
  }

  return failure;
}
