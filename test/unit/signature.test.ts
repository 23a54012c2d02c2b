import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readSample } from '../../events/index.js';
import {
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signBody,
  verifySignature,
} from '../../functions/receiver/signature.js';
import {
  OTHER_ORGANIZATION_KEY,
  ROTATED_KEY,
  TEST_SIGNING_KEY,
} from '../fixtures/keys.js';

// RFC 4231, test case 2: an HMAC-SHA256 vector computed by no code of ours.
const RFC_4231_KEY = 'Jefe';
const RFC_4231_DATA = 'what do ya want for nothing?';
const RFC_4231_MAC =
  '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';

const BODY = readSample('project.public.updated');

function digestOf(body: Uint8Array | string, key: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

describe('SIGNATURE_HEADER', () => {
  it('is the lowercase header name VOMO sends', () => {
    expect(SIGNATURE_HEADER).toBe('vomo-signature');
  });
});

describe('signBody', () => {
  it('matches the RFC 4231 test vector', () => {
    expect(signBody(RFC_4231_DATA, RFC_4231_KEY)).toBe(RFC_4231_MAC);
  });

  it('gives the same signature for a string and its UTF-8 bytes', () => {
    const text = 'Jos\u00e9 \ud83d\ude00';

    expect(signBody(text, TEST_SIGNING_KEY)).toBe(
      signBody(Buffer.from(text, 'utf8'), TEST_SIGNING_KEY),
    );
  });

  it('writes 64 lowercase hex digits', () => {
    expect(signBody(BODY, TEST_SIGNING_KEY)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parseSignatureHeader', () => {
  const signature = signBody(BODY, TEST_SIGNING_KEY);

  it('reads 64 hex digits as a 32-byte digest', () => {
    const result = parseSignatureHeader(signature);

    expect(result).toEqual({
      success: true,
      digest: Buffer.from(signature, 'hex'),
    });
  });

  it('accepts uppercase hex digits', () => {
    const result = parseSignatureHeader(signature.toUpperCase());

    expect(result).toEqual({
      success: true,
      digest: Buffer.from(signature, 'hex'),
    });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('reports a missing signature when the header is %s', (_, value) => {
    expect(parseSignatureHeader(value)).toEqual({
      success: false,
      reason: 'signature-missing',
    });
  });

  it.each([
    ['63 hex digits', signature.slice(0, 63)],
    ['65 hex digits', `${signature}0`],
    ['a digit that is not hex', `${signature.slice(0, 63)}g`],
    ['a scheme prefix', `sha256=${signature}`],
    ['surrounding spaces', ` ${signature} `],
    ['two signatures joined', `${signature},${signature}`],
  ])('reports a malformed signature made of %s', (_, value) => {
    expect(parseSignatureHeader(value)).toEqual({
      success: false,
      reason: 'signature-malformed',
    });
  });
});

describe('verifySignature', () => {
  const digest = digestOf(BODY, TEST_SIGNING_KEY);

  it('accepts the exact bytes signed with the key', () => {
    expect(verifySignature(BODY, digest, [TEST_SIGNING_KEY])).toBe(true);
  });

  it('rejects a body changed after signing', () => {
    const tampered = Buffer.from(
      BODY.toString('utf8').replace('Pantry Sorting', 'Pantry Sortinf'),
    );

    expect(tampered.length).toBe(BODY.length);
    expect(verifySignature(tampered, digest, [TEST_SIGNING_KEY])).toBe(false);
  });

  it('rejects a signature made with another key', () => {
    expect(verifySignature(BODY, digest, [OTHER_ORGANIZATION_KEY])).toBe(false);
  });

  it('rejects every signature when the organization has no keys', () => {
    expect(verifySignature(BODY, digest, [])).toBe(false);
  });

  it('accepts a signature made with the older key during a rotation', () => {
    expect(verifySignature(BODY, digest, [ROTATED_KEY, TEST_SIGNING_KEY])).toBe(
      true,
    );
  });

  it('rejects a digest that is not 32 bytes long instead of throwing', () => {
    const short = digest.subarray(0, 31);

    expect(verifySignature(BODY, short, [TEST_SIGNING_KEY])).toBe(false);
  });

  it('rejects the same event re-serialized without the wire-form escapes', () => {
    // VOMO signs `\/` and `\u00e9`; JSON.stringify writes `/` and `é`.
    const reserialized = Buffer.from(
      JSON.stringify(JSON.parse(BODY.toString('utf8'))),
    );

    expect(reserialized.equals(BODY)).toBe(false);
    expect(verifySignature(reserialized, digest, [TEST_SIGNING_KEY])).toBe(
      false,
    );
  });
});
