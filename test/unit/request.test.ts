import { describe, expect, it } from 'vitest';
import { readRequest } from '../../functions/receiver/request.js';
import { signBody } from '../../functions/receiver/signature.js';
import { TEST_SIGNING_KEY } from '../fixtures/keys.js';
import {
  buildFunctionUrlEvent,
  buildHttpApiEvent,
  buildRestApiEvent,
  TEST_REQUEST_ID,
} from '../fixtures/requests.js';

const BODY = Buffer.from('{"type":"project.created","name":"Jos\\u00e9"}');
const SIGNATURE = signBody(BODY, TEST_SIGNING_KEY);

describe('readRequest', () => {
  it('reads method, body bytes, signature and request id of an HTTP API event', () => {
    const request = readRequest(buildHttpApiEvent({ body: BODY }));

    expect(request).toEqual({
      method: 'POST',
      body: BODY,
      signature: SIGNATURE,
      requestId: TEST_REQUEST_ID,
    });
  });

  it('reads a REST API event', () => {
    const request = readRequest(buildRestApiEvent({ body: BODY }));

    expect(request).toEqual({
      method: 'POST',
      body: BODY,
      signature: SIGNATURE,
      requestId: TEST_REQUEST_ID,
    });
  });

  it('reads a function URL event', () => {
    const request = readRequest(buildFunctionUrlEvent({ body: BODY }));

    expect(request.body).toEqual(BODY);
    expect(request.signature).toBe(SIGNATURE);
  });

  it('decodes a base64 body to the bytes that were sent', () => {
    const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]);

    const request = readRequest(
      buildHttpApiEvent({ body: bytes, base64: true }),
    );

    expect(request.body).toEqual(bytes);
  });

  it('keeps UTF-8 text as its bytes', () => {
    const text = '{"name":"Jos\u00e9 \ud83d\ude00"}';

    const request = readRequest(buildHttpApiEvent({ body: text }));

    expect(request.body).toEqual(Buffer.from(text, 'utf8'));
  });

  it('reads an event without a body as empty bytes', () => {
    const event = { ...buildHttpApiEvent(), body: undefined };

    expect(readRequest(event).body).toEqual(Buffer.alloc(0));
  });

  it('reads a REST API event with a null body as empty bytes', () => {
    const event = { ...buildRestApiEvent(), body: null };

    expect(readRequest(event).body).toEqual(Buffer.alloc(0));
  });

  it('reads the method of a request that is not a POST', () => {
    expect(readRequest(buildHttpApiEvent({ method: 'GET' })).method).toBe(
      'GET',
    );
    expect(readRequest(buildRestApiEvent({ method: 'PUT' })).method).toBe(
      'PUT',
    );
  });

  it.each(['VOMO-SIGNATURE', 'Vomo-Signature'])(
    'finds the signature under the header name %s',
    (name) => {
      const event = buildHttpApiEvent({
        body: BODY,
        signature: undefined,
        headers: { [name]: SIGNATURE },
      });

      expect(readRequest(event).signature).toBe(SIGNATURE);
    },
  );

  it('reads no signature when the header is absent', () => {
    const event = buildHttpApiEvent({ body: BODY, signature: undefined });

    expect(readRequest(event).signature).toBeUndefined();
  });

  it('joins two copies of the header in a REST API event', () => {
    const event = buildRestApiEvent({
      body: BODY,
      signature: undefined,
      headers: { 'vomo-signature': [SIGNATURE, SIGNATURE] },
    });

    expect(readRequest(event).signature).toBe(`${SIGNATURE},${SIGNATURE}`);
  });

  it('reads the header of a REST API event without multiValueHeaders', () => {
    const event = {
      ...buildRestApiEvent({ body: BODY }),
      multiValueHeaders: undefined as unknown as Record<string, string[]>,
    };

    expect(readRequest(event).signature).toBe(SIGNATURE);
  });

  it('makes up a request id when the front door gave none', () => {
    const request = readRequest(buildHttpApiEvent({ requestId: '' }));

    expect(request.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
