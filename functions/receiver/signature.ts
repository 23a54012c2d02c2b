import { createHmac } from 'node:crypto';
import { verifyDigest } from '../../events/index.js';

/** The header VOMO puts its signature in; looked up case-insensitively. */
export const SIGNATURE_HEADER = 'vomo-signature';

const SIGNATURE_HEX = /^[0-9a-fA-F]{64}$/;

/** Outcome of reading the signature header, before any key is involved. */
export type SignatureHeaderResult =
  | { success: true; digest: Buffer }
  | { success: false; reason: 'signature-missing' | 'signature-malformed' };

/** Reads a header value as a SHA-256 digest: exactly 64 hex digits. */
export function parseSignatureHeader(
  value: string | undefined,
): SignatureHeaderResult {
  if (value === undefined || value === '') {
    return { success: false, reason: 'signature-missing' };
  }

  if (!SIGNATURE_HEX.test(value)) {
    return { success: false, reason: 'signature-malformed' };
  }

  return { success: true, digest: Buffer.from(value, 'hex') };
}

/** Signs a body as VOMO does: lowercase hex of HMAC-SHA256 over its bytes. */
export function signBody(body: Uint8Array | string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

/**
 * Tells whether any of the keys signed these exact bytes. Pure: no parsing,
 * no logging; each comparison takes the same time wherever the digests differ.
 */
export const verifySignature: (
  body: Uint8Array,
  digest: Uint8Array,
  keys: readonly string[],
) => boolean = verifyDigest;
