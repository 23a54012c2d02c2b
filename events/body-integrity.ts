import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SHA256_BYTES = 32;

/** Lowercase hex SHA-256 of a body's bytes, as in `vomo-body-sha256`. */
export function hashBody(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Tells whether a text is a SHA-256 digest in hex: exactly 64 hex digits. */
export function isSha256Hex(text: string): boolean {
  return SHA256_HEX.test(text);
}

/**
 * Tells whether a `vomo-signature` value was made over these exact bytes
 * with any of the keys. The relay does not forward signatures, so this is for
 * consumers that receive one some other way; a malformed one is just false.
 */
export function verifyBody(
  body: string | Uint8Array,
  signature: string,
  keys: string | readonly string[],
): boolean {
  if (!isSha256Hex(signature)) {
    return false;
  }

  const digest = Buffer.from(signature, 'hex');
  return verifyDigest(body, digest, typeof keys === 'string' ? [keys] : keys);
}

/**
 * Tells whether any of the keys made this HMAC-SHA256 digest over these exact
 * bytes. Each comparison takes the same time wherever the digests differ.
 */
export function verifyDigest(
  body: string | Uint8Array,
  digest: Uint8Array,
  keys: readonly string[],
): boolean {
  if (digest.length !== SHA256_BYTES) {
    return false;
  }

  return keys.some((key) => {
    const expected = createHmac('sha256', key).update(body).digest();
    return timingSafeEqual(expected, digest);
  });
}
