import { createHmac, timingSafeEqual } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  hashBody,
  inspectEvent,
  MESSAGE_ATTRIBUTE,
  readSample,
} from '../../events/index.js';
import {
  answerAccepted,
  answerRejected,
  type ReceiverAnswer,
} from '../../functions/receiver/answers.js';
import { MAX_BODY_BYTES } from '../../functions/receiver/handler.js';
import type { ReceiverEvent } from '../../functions/receiver/request.js';
import {
  signBody,
  verifySignature,
} from '../../functions/receiver/signature.js';
import { KEY_REFRESH_INTERVAL_MS } from '../../functions/receiver/signing-keys.js';
import {
  OTHER_ORGANIZATION_KEY,
  ROTATED_KEY,
  TEST_KEYS_SECRET,
  TEST_SIGNING_KEY,
  UNKNOWN_KEY,
} from '../fixtures/keys.js';
import { captureOutput } from '../fixtures/output.js';
import { buildHttpApiEvent, buildRestApiEvent } from '../fixtures/requests.js';
import {
  createTestReceiver,
  sentMessages,
  sqsMock,
  TEST_QUEUE_URLS,
} from './test-receiver.js';

// Counts the digest comparisons, which must each cover a whole digest.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

/** Put into hostile bodies, signatures and headers; must never be written. */
const MARKER = 'marker-8e1f04c7';

/** SQS's rule for a group id: 1-128 letters, digits and punctuation. */
const GROUP_ID_RULE = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

const ACCEPTED = answerAccepted();
const UNAUTHORIZED = answerRejected('signature-mismatch');
const NOT_JSON = answerRejected('body-not-json');
const ENVELOPE_INVALID = answerRejected('envelope-invalid');
const KEY_STORE_UNAVAILABLE = answerRejected('key-store-unavailable');

const SAMPLE = readSample('project.created');

let output: string[] = [];

/** Every signature sent in the current test, to look for in the output. */
let sentSignatures: string[] = [];

beforeEach(() => {
  sentSignatures = [];
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
  vi.mocked(timingSafeEqual).mockClear();
  output = captureOutput();
});

// Every attack in this file is also a check that nothing secret is written.
afterEach(() => {
  vi.restoreAllMocks();

  const written = output.join('');
  const secrets = [
    TEST_SIGNING_KEY,
    ROTATED_KEY,
    OTHER_ORGANIZATION_KEY,
    UNKNOWN_KEY,
    MARKER,
    ...sentSignatures,
  ];
  for (const secret of secrets) {
    expect(written).not.toContain(secret);
  }
});

/** An HTTP API event carrying `body` and `signature`, plus a marked header. */
function attack(body: Buffer | string, signature: string): ReceiverEvent {
  sentSignatures.push(signature);
  return buildHttpApiEvent({
    body,
    signature,
    headers: { 'x-forwarded-note': MARKER },
  });
}

/** An HTTP API event whose body is signed with `key`. */
function signed(body: Buffer | string, key = TEST_SIGNING_KEY): ReceiverEvent {
  return attack(body, signBody(body, key));
}

/** An envelope text of organization 1 whose data holds the marker. */
function envelopeText(fields: Record<string, string> = {}): string {
  const envelope = {
    type: '"project.created"',
    organization_id: '1',
    data: `{"id":"90909","note":"${MARKER}"}`,
    ...fields,
  };
  const members = Object.entries(envelope).map(
    ([name, value]) => `"${name}":${value}`,
  );
  return `{${members.join(',')}}`;
}

function expectNothingSent(): void {
  expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
}

function expectForwardedUnchanged(body: Buffer | string): void {
  const messages = sentMessages();
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    expect(message.MessageBody).toBe(body.toString());
  }
}

describe('createReceiver', () => {
  it('writes its logs where these checks read them', async () => {
    const { handler } = createTestReceiver();

    await handler(signed(SAMPLE, UNKNOWN_KEY));

    expect(output.join('')).toContain('request rejected');
  });

  describe('against a hostile signature header', () => {
    const signature = signBody(SAMPLE, TEST_SIGNING_KEY);

    it('accepts the right digest written in uppercase hex', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(attack(SAMPLE, signature.toUpperCase()));

      expect(answer).toEqual(ACCEPTED);
    });

    it.each([
      ['with a space before it', ` ${signature}`],
      ['with a space after it', `${signature} `],
      ['with a tab after it', `${signature}\t`],
      ['with a sha256= prefix', `sha256=${signature}`],
      ['sent twice and comma-joined', `${signature},${signature}`],
      ['in base64', Buffer.from(signature, 'hex').toString('base64')],
      ['of the empty body', signBody('', TEST_SIGNING_KEY)],
      ['made with the empty key', signBody(SAMPLE, '')],
      ["made with another organization's key", signBody(SAMPLE, ROTATED_KEY)],
      ['of 64 zeros', '0'.repeat(64)],
      [
        'of the body with a newline added',
        signBody(`${SAMPLE}\n`, TEST_SIGNING_KEY),
      ],
      ['with one digit changed', `${signature.slice(0, -1)}0`],
      ['holding the marker', `${MARKER}${signature.slice(MARKER.length)}`],
    ])('answers 401 to a signature %s', async (_, value) => {
      const { handler } = createTestReceiver();

      const answer = await handler(attack(SAMPLE, value));

      expect(answer).toEqual(UNAUTHORIZED);
      expectNothingSent();
    });

    it('answers 401 to a body signed with the key of the organization it does not name', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(signed(SAMPLE, OTHER_ORGANIZATION_KEY));

      expect(answer).toEqual(UNAUTHORIZED);
      expectNothingSent();
    });

    it.each(['VOMO-SIGNATURE', 'Vomo-Signature', 'vOmO-sIgNaTuRe'])(
      'finds the header written as %s',
      async (name) => {
        const { handler } = createTestReceiver();

        const answer = await handler(
          buildRestApiEvent({
            body: SAMPLE,
            signature: undefined,
            headers: { [name]: signature },
          }),
        );

        expect(answer).toEqual(ACCEPTED);
      },
    );

    it('answers 401 when a REST API request sends a bad copy of the header too', async () => {
      const { handler } = createTestReceiver();
      sentSignatures.push(`${MARKER}-copy`);

      const answer = await handler(
        buildRestApiEvent({
          body: SAMPLE,
          signature: undefined,
          headers: { 'vomo-signature': [`${MARKER}-copy`, signature] },
        }),
      );

      expect(answer).toEqual(UNAUTHORIZED);
      expectNothingSent();
    });
  });

  describe('against a hostile organization id', () => {
    it.each(['1.0', '1e0', '0.1e1', '1.00000000000000000001'])(
      'reads %s as organization 1 and forwards the bytes unchanged',
      async (id) => {
        const { handler } = createTestReceiver();
        const body = envelopeText({ organization_id: id });

        const answer = await handler(signed(body));

        expect(answer).toEqual(ACCEPTED);
        expectForwardedUnchanged(body);
        expect(
          sentMessages()[0]?.MessageAttributes?.[
            MESSAGE_ATTRIBUTE.organizationId
          ],
        ).toEqual({ DataType: 'Number', StringValue: '1' });
      },
    );

    it.each([
      ['a string', '"1"'],
      ['negative', '-1'],
      ['zero', '0'],
      ['negative zero', '-0'],
      ['fractional', '1.5'],
      ['beyond the safe integers', '9007199254740992'],
      ['infinite', '1e309'],
      ['null', 'null'],
      ['a list', '[1]'],
      ['an object', '{"id":1}'],
      ['true', 'true'],
    ])(
      'answers 400 to an organization id that is %s, reading no key',
      async (_, id) => {
        const { handler, source } = createTestReceiver();

        const answer = await handler(
          signed(envelopeText({ organization_id: id })),
        );

        expect(answer).toEqual(ENVELOPE_INVALID);
        expect(source).not.toHaveBeenCalled();
        expectNothingSent();
      },
    );

    it('answers 400 to an organization id with a leading zero, which is not JSON', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(
        signed(envelopeText({ organization_id: '01' })),
      );

      expect(answer).toEqual(NOT_JSON);
    });

    it('answers 401 to a body naming organization 2 twice that organization 1 signed', async () => {
      const { handler } = createTestReceiver();
      const body = `${envelopeText().slice(0, -1)},"organization_id":2}`;

      const answer = await handler(signed(body));

      expect(answer).toEqual(UNAUTHORIZED);
      expectNothingSent();
    });

    it('checks and routes a repeated organization id by the same, last copy', async () => {
      const { handler } = createTestReceiver();
      const body = `${envelopeText().slice(0, -1)},"organization_id":2}`;

      const answer = await handler(signed(body, OTHER_ORGANIZATION_KEY));

      expect(answer).toEqual(ACCEPTED);
      const [message] = sentMessages();
      expect(message?.QueueUrl).toBe(TEST_QUEUE_URLS.partner);
      expect(
        message?.MessageAttributes?.[MESSAGE_ATTRIBUTE.organizationId]
          ?.StringValue,
      ).toBe('2');
    });

    it('answers 400 to an organization id hidden under __proto__', async () => {
      const { handler } = createTestReceiver();
      const body = `{"__proto__":{"organization_id":1},"type":"project.created","data":{"n":"${MARKER}"}}`;

      const answer = await handler(signed(body));

      expect(answer).toEqual(ENVELOPE_INVALID);
      expectNothingSent();
    });
  });

  describe('against a hostile body', () => {
    it.each([
      ['empty', ''],
      ['only whitespace', ' \n\t\r '],
      ['prefixed with a byte order mark', `\ufeff${envelopeText()}`],
      ['cut short', envelopeText().slice(0, -1)],
      ['followed by a second value', `${envelopeText()}{}`],
      ['holding a raw NUL in a string', envelopeText().replace('note', 'n\0')],
      ['a form', `type=project.created&organization_id=1&n=${MARKER}`],
    ])('answers 400 to a body that is %s', async (_, body) => {
      const { handler, source } = createTestReceiver();

      const answer = await handler(signed(body));

      expect(answer).toEqual(NOT_JSON);
      expect(source).not.toHaveBeenCalled();
      expectNothingSent();
    });

    it.each([
      ['null', 'null'],
      ['a list', `["${MARKER}"]`],
      ['a string', `"${MARKER}"`],
      ['a number', '1'],
      [
        'an object without data',
        '{"type":"project.created","organization_id":1}',
      ],
      [
        'an object whose data is a string',
        envelopeText({ data: `"${MARKER}"` }),
      ],
      ['an object whose data is null', envelopeText({ data: 'null' })],
    ])('answers 400 to a body that is %s', async (_, body) => {
      const { handler } = createTestReceiver();

      const answer = await handler(signed(body));

      expect(answer).toEqual(ENVELOPE_INVALID);
      expectNothingSent();
    });

    it.each([
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a byte that is never UTF-8', [0xff]],
      ['a sequence cut short', [0xe2, 0x82]],
    ])('answers 400 to a body holding %s', async (_, bytes) => {
      const { handler } = createTestReceiver();
      const [head, tail] = envelopeText().split(MARKER);
      const body = Buffer.concat([
        Buffer.from(head ?? ''),
        Buffer.from(bytes),
        Buffer.from(tail ?? ''),
      ]);

      const answer = await handler(
        buildHttpApiEvent({
          body,
          base64: true,
          signature: signBody(body, TEST_SIGNING_KEY),
        }),
      );

      expect(answer).toEqual(NOT_JSON);
      expectNothingSent();
    });

    it.each([
      ['U+FFFF', '\uffff'],
      ['U+FFFE', '\ufffe'],
      ['a control character', '\u0008'],
    ])(
      'answers 400 to a body holding a raw %s that SQS refuses',
      async (_, character) => {
        const { handler } = createTestReceiver();
        const body = envelopeText().replace('"id"', `"i${character}d"`);

        const answer = await handler(signed(body));

        expect(answer.statusCode).toBe(400);
        expectNothingSent();
      },
    );

    it.each([
      ['an escaped lone surrogate', '"\\ud800"'],
      ['an escaped NUL', '"\\u0000"'],
      ['an escaped U+FFFF', '"\\uffff"'],
      ['a raw emoji', '"\u{1f600}"'],
      ['a raw DEL', '"\u007f"'],
      ['a number too large for a double', '1e309'],
      ['negative zero', '-0'],
      ['a deep nest of lists', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
      ['a __proto__ member', '{"__proto__":{"admin":true}}'],
      ['a constructor member', '{"constructor":{"prototype":{"x":1}}}'],
    ])('forwards a signed body holding %s, byte for byte', async (_, value) => {
      const { handler } = createTestReceiver();
      const body = envelopeText({
        data: `{"id":"90909","value":${value},"note":"${MARKER}"}`,
      });

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      expectForwardedUnchanged(body);
    });

    it('ignores __proto__ and constructor members of the envelope', async () => {
      const { handler } = createTestReceiver();
      const body = envelopeText({
        ['__proto__']: '{"organization_id":2,"type":"participation.created"}',
        constructor: '{"name":"x"}',
      });

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      expect(sentMessages().map((message) => message.QueueUrl)).toEqual([
        TEST_QUEUE_URLS.catalog,
      ]);
    });

    it('forwards a signed event whose data misfits its known shape in very many places', async () => {
      const { handler } = createTestReceiver();
      const owners = Array.from({ length: 150_000 }, () => '1').join(',');
      const body = envelopeText({
        data: `{"id":"90909","owners":[${owners}],"note":"${MARKER}"}`,
      });

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      expectForwardedUnchanged(body);
    });

    it('answers 413 to a body of 1 MiB, reading no key', async () => {
      const { handler, source } = createTestReceiver();
      const body = envelopeText({
        data: `{"n":"${'x'.repeat(1_048_576)}"}`,
      }).slice(0, 1_048_576);

      const answer = await handler(signed(body));

      expect(answer).toEqual(answerRejected('body-too-large'));
      expect(source).not.toHaveBeenCalled();
    });

    it('forwards a signed body of exactly the size limit', async () => {
      const { handler } = createTestReceiver();
      const empty = envelopeText({ data: '{"n":""}' });
      const body = envelopeText({
        data: `{"n":"${'x'.repeat(MAX_BODY_BYTES - empty.length)}"}`,
      });
      expect(body).toHaveLength(MAX_BODY_BYTES);

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      expectForwardedUnchanged(body);
    });

    it('verifies a base64 body on the bytes it decodes to, padding or not', async () => {
      const { handler } = createTestReceiver();
      const body = Buffer.from(envelopeText({ data: '{"id":"1"}' }));
      const unpadded = body.toString('base64').replace(/=+$/, '');
      expect(unpadded).not.toBe(body.toString('base64'));

      const answer = await handler({
        ...signed(body),
        body: unpadded,
        isBase64Encoded: true,
      });

      expect(answer).toEqual(ACCEPTED);
      expectForwardedUnchanged(body);
    });

    it('never accepts a base64 flag over text that is not base64', async () => {
      const { handler } = createTestReceiver();
      const text = envelopeText();

      const answer = await handler({ ...signed(text), isBase64Encoded: true });

      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode).toBeLessThan(500);
      expectNothingSent();
    });
  });

  describe('against a hostile event type', () => {
    it.each([
      ['two dots in a row', 'project..created'],
      ['public twice', 'project.public.public.created'],
      ['no object', '.created'],
      ['no action', 'project.'],
      ['no dot', 'project'],
      ['a trailing space', 'project.created '],
      ['a trailing newline', 'project.created\\n'],
      ['a letter outside ASCII', 'proj\\u00e9ct.created'],
      ['101 characters', `a.${'b'.repeat(99)}`],
      ['10,000 characters', `a.${'b'.repeat(9_998)}`],
      ['a wildcard', 'project.*'],
    ])('answers 400 to a type with %s', async (_, type) => {
      const { handler, source } = createTestReceiver();

      const answer = await handler(signed(envelopeText({ type: `"${type}"` })));

      expect(answer).toEqual(ENVELOPE_INVALID);
      expect(source).not.toHaveBeenCalled();
      expectNothingSent();
    });

    it.each([
      ['capitals', 'PROJECT.created'],
      ['a dash', 'volunteer-hours.logged'],
    ])(
      'forwards a verified type with %s rather than lose it',
      async (_, type) => {
        const { handler } = createTestReceiver();
        const body = envelopeText({ type: `"${type}"` });

        const answer = await handler(signed(body));

        expect(answer).toEqual(ACCEPTED);
        expect(sentMessages()[0]?.QueueUrl).toBe(TEST_QUEUE_URLS.unrouted);
      },
    );

    it('forwards a type of exactly 100 characters to the unrouted queue', async () => {
      const { handler } = createTestReceiver();
      const body = envelopeText({ type: `"a.${'b'.repeat(98)}"` });

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      expect(sentMessages()[0]?.QueueUrl).toBe(TEST_QUEUE_URLS.unrouted);
    });
  });

  describe('against a hostile object id on a FIFO queue', () => {
    it.each([
      ['10,000 characters long', `"${'9'.repeat(10_000)}"`],
      ['written in other scripts', '"\\u65e5\\u672c-\\u0416"'],
      ['a raw emoji', '"\u{1f600}"'],
      ['full of punctuation', '"a:b/c d\\\\e\\"f"'],
      ['empty', '""'],
      ['a huge number', '1e21'],
      ['a negative fraction', '-0.5'],
      ['an object', '{"id":1}'],
      ['a list', '[1,2]'],
      ['null', 'null'],
      ['true', 'true'],
    ])('gives an id that is %s a group id SQS takes', async (_, id) => {
      const { handler } = createTestReceiver();
      const body = envelopeText({ data: `{"id":${id},"note":"${MARKER}"}` });

      const answer = await handler(signed(body));

      expect(answer).toEqual(ACCEPTED);
      const [message] = sentMessages();
      expect(message?.QueueUrl).toBe(TEST_QUEUE_URLS.catalog);
      expect(message?.MessageGroupId).toMatch(GROUP_ID_RULE);
      expect(message?.MessageDeduplicationId).toBe(hashBody(body));
    });
  });

  describe('against a hostile signing-keys secret', () => {
    it.each([
      ['the empty key', { '1': '' }],
      ['the empty key in a list', { '1': ['', TEST_SIGNING_KEY] }],
      ['an empty list', { '1': [] }],
      ['a number for a key', { '1': 12345 }],
      ['an object for a key', { '1': { key: TEST_SIGNING_KEY } }],
      ['null for a key', { '1': null }],
    ])(
      'never accepts a body signed with the empty key when the secret holds %s',
      async (_, secret) => {
        const { handler, keys } = createTestReceiver();
        keys.secret = JSON.stringify(secret);

        const answer = await handler(signed(SAMPLE, ''));

        expect(answer).toEqual(KEY_STORE_UNAVAILABLE);
        expectNothingSent();
      },
    );

    it.each([
      ['a list', JSON.stringify([TEST_SIGNING_KEY])],
      ['a string', JSON.stringify(TEST_SIGNING_KEY)],
      ['null', 'null'],
      ['empty', ''],
    ])('answers 503 while the secret is %s', async (_, secret) => {
      const { handler, keys } = createTestReceiver();
      keys.secret = secret;

      const answer = await handler(signed(SAMPLE));

      expect(answer).toEqual(KEY_STORE_UNAVAILABLE);
      expectNothingSent();
    });

    it('verifies a key outside ASCII on its UTF-8 bytes, as PHP does', async () => {
      const { handler, keys } = createTestReceiver();
      const key = 'cl\u00e9-\u043a\u043b\u044e\u0447-\u{1f511}';
      keys.secret = JSON.stringify({ '1': key });
      const phpSignature = createHmac('sha256', Buffer.from(key, 'utf8'))
        .update(SAMPLE)
        .digest('hex');
      const latin1Signature = createHmac('sha256', Buffer.from(key, 'latin1'))
        .update(SAMPLE)
        .digest('hex');

      const accepted = await handler(attack(SAMPLE, phpSignature));
      const refused = await handler(attack(SAMPLE, latin1Signature));

      expect(accepted).toEqual(ACCEPTED);
      expect(refused).toEqual(UNAUTHORIZED);
    });

    it('reads the secret once per interval however many unknown organizations call', async () => {
      const { handler, source, clock } = createTestReceiver();
      const eventFor = (id: number) =>
        signed(envelopeText({ organization_id: String(id) }), UNKNOWN_KEY);

      const answers: ReceiverAnswer[] = [];
      for (let id = 3; id < 28; id += 1) {
        answers.push(await handler(eventFor(id)));
      }
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 25 }, (_, index) =>
            handler(eventFor(index + 28)),
          ),
        )),
      );
      expect(source).toHaveBeenCalledOnce();

      clock.now = KEY_REFRESH_INTERVAL_MS;
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 25 }, (_, index) =>
            handler(eventFor(index + 3)),
          ),
        )),
      );

      expect(source).toHaveBeenCalledTimes(2);
      expect(answers).toHaveLength(75);
      expect(answers.every((answer) => answer.statusCode === 401)).toBe(true);
      expectNothingSent();
    });

    it('shares one read of a failing secret among concurrent first requests', async () => {
      const { handler, source, keys } = createTestReceiver();
      keys.failure = new Error(`cannot read ${TEST_KEYS_SECRET}`);

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => handler(signed(SAMPLE))),
      );

      expect(source).toHaveBeenCalledOnce();
      expect(answers.every((answer) => answer.statusCode === 503)).toBe(true);
    });

    it('answers 503, never 2xx, to every request while the secret cannot be read', async () => {
      const { handler, keys, clock } = createTestReceiver();
      keys.failure = new Error(`cannot read ${TEST_KEYS_SECRET}`);

      const answers: ReceiverAnswer[] = [];
      for (let attempt = 0; attempt < 10; attempt += 1) {
        clock.now = attempt * KEY_REFRESH_INTERVAL_MS;
        answers.push(await handler(signed(SAMPLE)));
        answers.push(await handler(signed(SAMPLE, UNKNOWN_KEY)));
      }

      expect(answers).toHaveLength(20);
      expect(answers.every((answer) => answer.statusCode === 503)).toBe(true);
      expectNothingSent();
    });
  });
});

describe('inspectEvent', () => {
  it('reports data with a great many misfits as drifting as a whole', () => {
    const envelope = JSON.parse(SAMPLE.toString('utf8'));
    envelope.data.owners = Array.from({ length: 150_000 }, () => 1);

    const { event, drift } = inspectEvent(envelope);

    expect(drift).toEqual(['data']);
    expect(event.data).toBe(envelope.data);
  });
});

describe('createReceiver timing', () => {
  it('compares one whole digest for an unknown organization, as for a known one', async () => {
    const { handler } = createTestReceiver();
    const body = envelopeText({ organization_id: '404' });

    const answer = await handler(signed(body, UNKNOWN_KEY));

    expect(answer).toEqual(UNAUTHORIZED);
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls.length).toBeGreaterThan(0);
    for (const [expected, given] of calls) {
      expect(expected).toHaveLength(32);
      expect(given).toHaveLength(32);
    }
  });
});

describe('verifySignature', () => {
  const digest = createHmac('sha256', TEST_SIGNING_KEY).update(SAMPLE).digest();

  function flip(index: number): Buffer {
    const changed = Buffer.from(digest);
    changed[index] = (changed[index] ?? 0) ^ 0xff;
    return changed;
  }

  it.each([
    ['its first byte', 0],
    ['its last byte', 31],
  ])(
    'compares whole digests once per key when one differs in %s',
    (_, index) => {
      const keys = [ROTATED_KEY, TEST_SIGNING_KEY];

      expect(verifySignature(SAMPLE, flip(index), keys)).toBe(false);

      const calls = vi.mocked(timingSafeEqual).mock.calls;
      expect(calls).toHaveLength(keys.length);
      for (const [expected, given] of calls) {
        expect(expected).toHaveLength(32);
        expect(given).toHaveLength(32);
      }
    },
  );

  it.each([
    ['shorter', digest.subarray(0, 31)],
    ['longer', Buffer.concat([digest, Buffer.from([0])])],
    ['empty', Buffer.alloc(0)],
  ])('rejects a digest that is %s without comparing any bytes', (_, given) => {
    expect(verifySignature(SAMPLE, given, [TEST_SIGNING_KEY])).toBe(false);

    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('accepts the right digest', () => {
    expect(verifySignature(SAMPLE, digest, [TEST_SIGNING_KEY])).toBe(true);
  });
});
