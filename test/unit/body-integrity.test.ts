import { describe, expect, it } from 'vitest';
import {
  hashBody,
  isSha256Hex,
  readSample,
  verifyBody,
} from '../../events/index.js';
import { signBody } from '../../functions/receiver/signature.js';
import { ROTATED_KEY, TEST_SIGNING_KEY } from '../fixtures/keys.js';

// FIPS 180-2, appendix B.1: the SHA-256 of "abc".
const ABC_SHA256 =
  'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

// RFC 4231, test case 2: an HMAC-SHA256 vector computed by no code of ours.
const RFC_4231_KEY = 'Jefe';
const RFC_4231_DATA = 'what do ya want for nothing?';
const RFC_4231_MAC =
  '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';

const BODY = readSample('participation.updated');

describe('hashBody', () => {
  it('matches the FIPS 180-2 test vector', () => {
    expect(hashBody('abc')).toBe(ABC_SHA256);
  });

  it('gives the same hash for a string and its UTF-8 bytes', () => {
    const text = 'Jos\u00e9 \ud83d\ude00';

    expect(hashBody(text)).toBe(hashBody(Buffer.from(text, 'utf8')));
  });
});

describe('isSha256Hex', () => {
  it('accepts 64 hex digits in either case', () => {
    expect(isSha256Hex(ABC_SHA256)).toBe(true);
    expect(isSha256Hex(ABC_SHA256.toUpperCase())).toBe(true);
  });

  it.each([
    ['one digit short', ABC_SHA256.slice(1)],
    ['one digit long', `${ABC_SHA256}0`],
    ['a letter beyond f', `g${ABC_SHA256.slice(1)}`],
    ['empty', ''],
  ])('rejects a text %s', (_case, text) => {
    expect(isSha256Hex(text)).toBe(false);
  });
});

describe('verifyBody', () => {
  it('matches the RFC 4231 test vector', () => {
    expect(verifyBody(RFC_4231_DATA, RFC_4231_MAC, RFC_4231_KEY)).toBe(true);
  });

  it('accepts a body signed as the receiver checks it', () => {
    const signature = signBody(BODY, TEST_SIGNING_KEY);

    expect(verifyBody(BODY, signature, TEST_SIGNING_KEY)).toBe(true);
    expect(verifyBody(BODY.toString(), signature, [TEST_SIGNING_KEY])).toBe(
      true,
    );
  });

  it('accepts a signature made with any of the keys', () => {
    const signature = signBody(BODY, TEST_SIGNING_KEY);

    expect(verifyBody(BODY, signature, [ROTATED_KEY, TEST_SIGNING_KEY])).toBe(
      true,
    );
  });

  it('rejects a body changed after signing', () => {
    const signature = signBody(BODY, TEST_SIGNING_KEY);
    const changed = BODY.toString().replace('"guests":0', '"guests":1');

    expect(changed).not.toBe(BODY.toString());
    expect(verifyBody(changed, signature, TEST_SIGNING_KEY)).toBe(false);
  });

  it('rejects a signature made with another key', () => {
    const signature = signBody(BODY, ROTATED_KEY);

    expect(verifyBody(BODY, signature, TEST_SIGNING_KEY)).toBe(false);
  });

  it('rejects a malformed signature without throwing', () => {
    const signature = signBody(BODY, TEST_SIGNING_KEY);

    expect(verifyBody(BODY, signature.slice(2), TEST_SIGNING_KEY)).toBe(false);
    expect(verifyBody(BODY, `sha256=${signature}`, TEST_SIGNING_KEY)).toBe(
      false,
    );
  });

  it('rejects every signature when there are no keys', () => {
    const signature = signBody(BODY, TEST_SIGNING_KEY);

    expect(verifyBody(BODY, signature, [])).toBe(false);
  });
});
