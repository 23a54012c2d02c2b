import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  encodeWireForm,
  MESSAGE_ATTRIBUTE,
  readSample,
} from '../../events/index.js';
import {
  answerAccepted,
  answerRejected,
  type ReceiverAnswer,
} from '../../functions/receiver/answers.js';
import {
  MAX_BODY_BYTES,
  RECEIVER_METRIC,
  reportStaleKeys,
} from '../../functions/receiver/handler.js';
import type { ReceiverEvent } from '../../functions/receiver/request.js';
import { signBody } from '../../functions/receiver/signature.js';
import {
  KEY_CACHE_TTL_MS,
  KEY_REFRESH_INTERVAL_MS,
} from '../../functions/receiver/signing-keys.js';
import {
  createLogger,
  createMetrics,
  METRICS_NAMESPACE,
} from '../../functions/telemetry.js';
import {
  OTHER_ORGANIZATION_KEY,
  ROTATED_KEY,
  TEST_KEYS_SECRET,
  TEST_SIGNING_KEY,
  UNKNOWN_KEY,
} from '../fixtures/keys.js';
import { captureOutput } from '../fixtures/output.js';
import {
  buildFunctionUrlEvent,
  buildHttpApiEvent,
  buildRestApiEvent,
  signedSampleEvent,
  TEST_REQUEST_ID,
} from '../fixtures/requests.js';
import {
  createTestReceiver,
  sentMessages,
  sqsMock,
  TEST_QUEUE_URLS,
  TEST_RECEIVED_AT,
  TEST_ROUTING,
  TEST_SEND_DEADLINE_MS,
  TEST_SERVICE_NAME,
} from './test-receiver.js';

const ROTATING_SECRET = JSON.stringify({
  '1': [ROTATED_KEY, TEST_SIGNING_KEY],
  '2': OTHER_ORGANIZATION_KEY,
});

const ACCEPTED = answerAccepted();
const UNAUTHORIZED = answerRejected('signature-mismatch');

/** Everything the logger and the metrics wrote during one test. */
let output: string[] = [];

interface EmfRecord {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

interface MetricPoint {
  readonly name: string;
  readonly value: unknown;
  readonly dimensions: Readonly<Record<string, unknown>>;
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });

  output = captureOutput();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A body in VOMO's wire form. */
function encodeBody(value: unknown): Buffer {
  return Buffer.from(encodeWireForm(value));
}

/** A sample's envelope with some fields changed, in wire form. */
function changeSample(
  type: string,
  change: (envelope: { organization_id: number; data: object }) => void,
): Buffer {
  const envelope = JSON.parse(readSample(type).toString('utf8'));
  change(envelope);
  return encodeBody(envelope);
}

/** An HTTP API event with this body, signed with `key`. */
function signedEvent(body: Buffer, key = TEST_SIGNING_KEY): ReceiverEvent {
  return buildHttpApiEvent({ body, signature: signBody(body, key) });
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sentQueueUrls(): (string | undefined)[] {
  return sentMessages().map((message) => message.QueueUrl);
}

function readOutputRecords(): Record<string, unknown>[] {
  return output
    .join('')
    .split('\n')
    .flatMap((line) => {
      try {
        const record: unknown = JSON.parse(line);
        return typeof record === 'object' && record !== null
          ? [record as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
}

function readLogRecords(): Record<string, unknown>[] {
  return readOutputRecords().filter((record) => !('_aws' in record));
}

function readEmfRecords(): EmfRecord[] {
  return readOutputRecords().filter(
    (record): record is EmfRecord & Record<string, unknown> => '_aws' in record,
  );
}

/** Every metric written, with the dimensions EMF declares for it. */
function readMetricPoints(): MetricPoint[] {
  return readEmfRecords().flatMap((record) =>
    record._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        name: metric.Name,
        value: record[metric.Name],
        dimensions: Object.fromEntries(
          directive.Dimensions.flat().map((name) => [name, record[name]]),
        ),
      })),
    ),
  );
}

function countMetric(name: string): number {
  return readMetricPoints().filter((point) => point.name === name).length;
}

describe('createReceiver', () => {
  describe('accepting', () => {
    it('answers 200 once the event is on its queue', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(signedSampleEvent('participation.created'));

      expect(answer).toEqual(ACCEPTED);
      expect(sentQueueUrls()).toEqual([TEST_QUEUE_URLS.volunteering]);
    });

    it('sends an event to every matching queue, each once', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(signedSampleEvent('project.deleted'));

      expect(answer).toEqual(ACCEPTED);
      expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 2);
      expect(sentQueueUrls().sort()).toEqual(
        [TEST_QUEUE_URLS.audit, TEST_QUEUE_URLS.catalog].sort(),
      );
    });

    it('answers only after the slowest send has succeeded', async () => {
      const { handler } = createTestReceiver({ sendDeadlineMs: 1_000 });
      let slowSendDone = false;
      sqsMock
        .on(SendMessageCommand, { QueueUrl: TEST_QUEUE_URLS.audit })
        .callsFake(async () => {
          await delay(30);
          slowSendDone = true;
          return { MessageId: 'message-2' };
        });

      const answer = await handler(signedSampleEvent('project.deleted'));

      expect(answer).toEqual(ACCEPTED);
      expect(slowSendDone).toBe(true);
    });

    it('forwards the exact bytes it verified, escapes included', async () => {
      const { handler } = createTestReceiver();
      const sample = readSample('project.public.updated');
      expect(sample.toString('latin1')).toContain('http:\\/\\/');
      expect(sample.toString('latin1')).toContain('Jos\\u00e9');

      await handler(signedSampleEvent('project.public.updated'));

      const [message] = sentMessages();
      expect(message?.MessageBody).toBe(sample.toString('utf8'));
      expect(Buffer.from(message?.MessageBody ?? '').equals(sample)).toBe(true);
    });

    it('describes the event in message attributes', async () => {
      const { handler } = createTestReceiver();
      const sample = readSample('project.public.updated');

      await handler(
        buildHttpApiEvent({
          body: sample,
          requestId: 'request-attributes',
        }),
      );

      expect(sentMessages()[0]?.MessageAttributes).toEqual({
        [MESSAGE_ATTRIBUTE.type]: text('project.public.updated'),
        [MESSAGE_ATTRIBUTE.organizationId]: {
          DataType: 'Number',
          StringValue: '1',
        },
        [MESSAGE_ATTRIBUTE.object]: text('project'),
        [MESSAGE_ATTRIBUTE.action]: text('updated'),
        [MESSAGE_ATTRIBUTE.isPublic]: text('true'),
        [MESSAGE_ATTRIBUTE.bodySha256]: text(sha256Of(sample)),
        [MESSAGE_ATTRIBUTE.receivedAt]: text(TEST_RECEIVED_AT.toISOString()),
        [MESSAGE_ATTRIBUTE.requestId]: text('request-attributes'),
      });
    });

    it('gives a FIFO queue a group per object and the body hash as deduplication id', async () => {
      const { handler } = createTestReceiver();

      await handler(signedSampleEvent('project.created'));

      expect(sentMessages()).toEqual([
        expect.objectContaining({
          QueueUrl: TEST_QUEUE_URLS.catalog,
          MessageGroupId: '1:project:90909',
          MessageDeduplicationId: sha256Of(readSample('project.created')),
        }),
      ]);
    });

    it('gives a standard queue neither group nor deduplication id', async () => {
      const { handler } = createTestReceiver();

      await handler(signedSampleEvent('participation.created'));

      const [message] = sentMessages();
      expect(message?.QueueUrl).toBe(TEST_QUEUE_URLS.volunteering);
      expect(message).not.toHaveProperty('MessageGroupId');
      expect(message).not.toHaveProperty('MessageDeduplicationId');
    });

    it("routes a public event on the envelope's organization, not data's", async () => {
      const { handler } = createTestReceiver();
      const sample = JSON.parse(
        readSample('project.public.updated').toString('utf8'),
      );
      expect(sample.organization_id).toBe(1);
      expect(sample.data.organization_id).toBe(2);

      const answer = await handler(signedSampleEvent('project.public.updated'));

      expect(answer).toEqual(ACCEPTED);
      expect(sentQueueUrls()).toEqual([TEST_QUEUE_URLS.catalog]);
    });

    it('forwards an event type it does not know to the queue that matches', async () => {
      const { handler } = createTestReceiver();
      const body = encodeBody({
        type: 'volunteer_hours.created',
        organization_id: 2,
        data: { id: 7, hours: '2.50' },
      });

      const answer = await handler(signedEvent(body, OTHER_ORGANIZATION_KEY));

      expect(answer).toEqual(ACCEPTED);
      expect(sentMessages()).toEqual([
        expect.objectContaining({
          QueueUrl: TEST_QUEUE_URLS.partner,
          MessageBody: body.toString('utf8'),
        }),
      ]);
    });

    it('forwards an unknown event type without a route to the unrouted queue', async () => {
      const { handler } = createTestReceiver();
      const body = encodeBody({
        type: 'volunteer_hours.created',
        organization_id: 1,
        data: { id: 7, hours: '2.50' },
      });

      const answer = await handler(signedEvent(body));

      expect(answer).toEqual(ACCEPTED);
      expect(sentQueueUrls()).toEqual([TEST_QUEUE_URLS.unrouted]);
      expect(countMetric(RECEIVER_METRIC.unrouted)).toBe(1);
    });

    it('sends an event no route matches to the unrouted queue', async () => {
      const { handler } = createTestReceiver();

      const body = changeSample('campaign.created', (envelope) => {
        envelope.organization_id = 2;
      });

      const answer = await handler(signedEvent(body, OTHER_ORGANIZATION_KEY));

      expect(answer).toEqual(ACCEPTED);
      expect(sentQueueUrls()).toEqual([TEST_QUEUE_URLS.unrouted]);
      expect(readMetricPoints()).toContainEqual({
        name: RECEIVER_METRIC.unrouted,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME },
      });
    });

    it('acknowledges and counts an unrouted event when there is no unrouted queue', async () => {
      const { handler } = createTestReceiver({
        routing: { organizations: TEST_ROUTING.organizations },
      });
      const body = changeSample('campaign.created', (envelope) => {
        envelope.organization_id = 2;
      });

      const answer = await handler(signedEvent(body, OTHER_ORGANIZATION_KEY));

      expect(answer).toEqual(ACCEPTED);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
      expect(countMetric(RECEIVER_METRIC.unrouted)).toBe(1);
      expect(readLogRecords()).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'no route matches the event',
          type: 'campaign.created',
          organizationId: 2,
        }),
      );
      expect(readLogRecords()).not.toContainEqual(
        expect.objectContaining({ message: 'event forwarded' }),
      );
    });

    it('reports a stale key copy in a warning and a metric, not the error text', () => {
      const logger = createLogger(TEST_SERVICE_NAME);
      const metrics = createMetrics(TEST_SERVICE_NAME);

      reportStaleKeys(logger, metrics, new Error(`denied ${TEST_SIGNING_KEY}`));
      metrics.publishStoredMetrics();

      expect(readLogRecords()).toContainEqual(
        expect.objectContaining({ level: 'WARN', cause: 'Error' }),
      );
      expect(countMetric(RECEIVER_METRIC.keyStoreStale)).toBe(1);
      expect(output.join('')).not.toContain(TEST_SIGNING_KEY);
    });

    it('puts the request id on every log line of the request', async () => {
      const { handler } = createTestReceiver();

      await handler(signedSampleEvent('participation.created'));
      await handler(buildHttpApiEvent({ body: '{}', signature: undefined }));

      const records = readLogRecords();
      expect(records.length).toBeGreaterThanOrEqual(2);
      for (const record of records) {
        expect(record).toMatchObject({ requestId: TEST_REQUEST_ID });
      }
    });

    it('forwards an event whose data drifted from its known shape, and logs the paths', async () => {
      const { handler } = createTestReceiver();
      const body = changeSample('project.created', (envelope) => {
        Object.assign(envelope.data, { id: 90909 });
      });

      const answer = await handler(signedEvent(body));

      expect(answer).toEqual(ACCEPTED);
      expect(sentMessages()[0]?.MessageBody).toBe(body.toString('utf8'));
      expect(countMetric(RECEIVER_METRIC.schemaDrift)).toBe(1);
      expect(readLogRecords()).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'event data differs from its known shape',
          type: 'project.created',
          paths: ['data.id'],
        }),
      );
    });

    it('verifies a base64-encoded body on its decoded bytes', async () => {
      const { handler } = createTestReceiver();
      const sample = readSample('project.public.updated');

      const answer = await handler(
        buildHttpApiEvent({ body: sample, base64: true }),
      );

      expect(answer).toEqual(ACCEPTED);
      expect(sentMessages()[0]?.MessageBody).toBe(sample.toString('utf8'));
    });

    it.each(['VOMO-SIGNATURE', 'Vomo-Signature', 'vomo-signature'])(
      'finds the signature in a header named %s',
      async (name) => {
        const { handler } = createTestReceiver();
        const body = readSample('project.created');

        const answer = await handler(
          buildHttpApiEvent({
            body,
            signature: undefined,
            headers: { [name]: signBody(body, TEST_SIGNING_KEY) },
          }),
        );

        expect(answer).toEqual(ACCEPTED);
      },
    );

    it('accepts an event from a REST API', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(
        buildRestApiEvent({ body: readSample('campaign.created') }),
      );

      expect(answer).toEqual(ACCEPTED);
    });

    it('accepts an event from a function URL', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(
        buildFunctionUrlEvent({ body: readSample('campaign.created') }),
      );

      expect(answer).toEqual(ACCEPTED);
    });

    it('accepts a body exactly at the size limit', async () => {
      const sample = readSample('project.created');
      const { handler } = createTestReceiver({ maxBodyBytes: sample.length });

      const answer = await handler(signedSampleEvent('project.created'));

      expect(answer).toEqual(ACCEPTED);
    });

    it('accepts a body of exactly MAX_BODY_BYTES by default', async () => {
      const { handler } = createTestReceiver();
      const body = padToLength(MAX_BODY_BYTES);

      const answer = await handler(signedEvent(body));

      expect(answer).toEqual(ACCEPTED);
    });
  });

  describe('rejecting', () => {
    it('answers 405 to a GET, before reading any key', async () => {
      const { handler, source } = createTestReceiver();

      const answer = await handler(buildHttpApiEvent({ method: 'GET' }));

      expect(answer).toEqual(answerRejected('method-not-allowed'));
      expect(answer.statusCode).toBe(405);
      expect(answer.headers).toMatchObject({ allow: 'POST' });
      expect(source).not.toHaveBeenCalled();
    });

    it('answers 413 to a body one byte over the size limit', async () => {
      const sample = readSample('project.created');
      const { handler } = createTestReceiver({ maxBodyBytes: sample.length });
      // Trailing whitespace keeps it a valid, signed event.
      const body = Buffer.concat([sample, Buffer.from(' ')]);

      const answer = await handler(signedEvent(body));

      expect(answer.statusCode).toBe(413);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    });

    it('answers 413 to a body one byte over MAX_BODY_BYTES by default', async () => {
      const { handler } = createTestReceiver();

      const answer = await handler(
        signedEvent(padToLength(MAX_BODY_BYTES + 1)),
      );

      expect(answer.statusCode).toBe(413);
    });

    it('answers 400 to a body that is not JSON, before reading any key', async () => {
      const { handler, source } = createTestReceiver();

      const answer = await handler(signedEvent(Buffer.from('type=project')));

      expect(answer).toEqual(answerRejected('body-not-json'));
      expect(answer.statusCode).toBe(400);
      expect(source).not.toHaveBeenCalled();
    });

    it('answers 400 to a body that is not valid UTF-8', async () => {
      const { handler } = createTestReceiver();
      const body = Buffer.concat([
        Buffer.from(
          '{"type":"project.created","organization_id":1,"data":{"n":"',
        ),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}}'),
      ]);

      const answer = await handler(
        buildHttpApiEvent({
          body,
          base64: true,
          signature: signBody(body, TEST_SIGNING_KEY),
        }),
      );

      expect(answer.statusCode).toBe(400);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    });

    it.each([
      ['a type that is not object.action', { type: 'Project Created' }],
      ['an organization id in a string', { organization_id: '1' }],
      ['an organization id of zero', { organization_id: 0 }],
      ['data that is a list of values', { data: [1] }],
      ['no type', { type: undefined }],
    ])('answers 400 to an envelope with %s', async (_, change) => {
      const { handler } = createTestReceiver();
      const body = Buffer.from(
        JSON.stringify({
          type: 'project.created',
          organization_id: 1,
          data: { id: '90909' },
          ...change,
        }),
      );

      const answer = await handler(signedEvent(body));

      expect(answer).toEqual(answerRejected('envelope-invalid'));
      expect(answer.statusCode).toBe(400);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    });

    it('answers 400 to a body holding a character SQS refuses', async () => {
      const { handler } = createTestReceiver();
      const body = Buffer.from(
        '{"type":"project.created","organization_id":1,"data":{"n":"\uffff"}}',
      );

      const answer = await handler(signedEvent(body));

      expect(answer).toEqual(answerRejected('body-not-sendable'));
      expect(answer.statusCode).toBe(400);
    });

    describe('answers 401 with one identical answer', () => {
      const sample = readSample('project.created');
      const signature = signBody(sample, TEST_SIGNING_KEY);
      const unknownOrganization = changeSample(
        'project.created',
        (envelope) => {
          envelope.organization_id = 3;
        },
      );

      const cases: [string, () => ReceiverEvent][] = [
        [
          'when the signature header is missing',
          () => buildHttpApiEvent({ body: sample, signature: undefined }),
        ],
        [
          'when the signature is empty',
          () => buildHttpApiEvent({ body: sample, signature: '' }),
        ],
        [
          'when the signature has 63 hex digits',
          () =>
            buildHttpApiEvent({ body: sample, signature: signature.slice(1) }),
        ],
        [
          'when the signature has 65 hex digits',
          () => buildHttpApiEvent({ body: sample, signature: `${signature}0` }),
        ],
        [
          'when the signature holds a digit that is not hex',
          () =>
            buildHttpApiEvent({
              body: sample,
              signature: `${signature.slice(1)}z`,
            }),
        ],
        [
          'when the signature was made with an unknown key',
          () => signedEvent(sample, UNKNOWN_KEY),
        ],
        [
          "when the signature was made with another organization's key",
          () => signedEvent(sample, OTHER_ORGANIZATION_KEY),
        ],
        [
          'when the body was changed after signing',
          () =>
            buildHttpApiEvent({
              body: changeSample('project.created', (envelope) => {
                Object.assign(envelope.data, { project_name: 'Website' });
              }),
              signature,
            }),
        ],
        [
          'when the organization has no key',
          () => signedEvent(unknownOrganization),
        ],
        [
          'when a REST API request carries the header twice',
          () =>
            buildRestApiEvent({
              body: sample,
              signature: undefined,
              headers: { 'vomo-signature': [signature, signature] },
            }),
        ],
      ];

      it.each(cases)('%s', async (_, buildEvent) => {
        const { handler } = createTestReceiver();

        const answer = await handler(buildEvent());

        expect(answer).toEqual(UNAUTHORIZED);
        expect(answer.statusCode).toBe(401);
        expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
      });
    });

    it('answers 503 when the key store cannot be read and nothing is cached', async () => {
      const { handler, keys } = createTestReceiver();
      keys.failure = new Error('AccessDeniedException');

      const answer = await handler(signedSampleEvent('project.created'));

      expect(answer).toEqual(answerRejected('key-store-unavailable'));
      expect(answer.statusCode).toBe(503);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    });

    it('answers 503 when one of two sends fails, though the other succeeded', async () => {
      const { handler } = createTestReceiver();
      sqsMock
        .on(SendMessageCommand, { QueueUrl: TEST_QUEUE_URLS.catalog })
        .rejects(new Error('throttled'));

      const answer = await handler(signedSampleEvent('project.deleted'));

      expect(answer).toEqual(answerRejected('queue-unavailable'));
      expect(answer.statusCode).toBe(503);
      expect(sentQueueUrls().sort()).toEqual(
        [TEST_QUEUE_URLS.audit, TEST_QUEUE_URLS.catalog].sort(),
      );
    });

    it('answers 503 within the deadline when a send never settles', async () => {
      const { handler } = createTestReceiver();
      sqsMock
        .on(SendMessageCommand, { QueueUrl: TEST_QUEUE_URLS.audit })
        .callsFake(() => new Promise(() => {}));
      const startedAt = performance.now();

      const answer = await handler(signedSampleEvent('project.deleted'));

      // Far above the deadline, so a busy machine cannot fail it; a send
      // that really hung would keep the handler from answering at all.
      expect(performance.now() - startedAt).toBeLessThan(
        40 * TEST_SEND_DEADLINE_MS,
      );
      expect(answer).toEqual(answerRejected('queue-unavailable'));
    });

    it('answers 500 when something unexpected fails', async () => {
      const { handler } = createTestReceiver({
        signingKeys: {
          keysFor: () => Promise.reject(new TypeError('unexpected')),
          refresh: () => Promise.resolve(false),
        },
      });

      const answer = await handler(signedSampleEvent('project.created'));

      expect(answer).toEqual(answerRejected('internal-error'));
      expect(answer.statusCode).toBe(500);
      expect(readLogRecords()).toContainEqual(
        expect.objectContaining({
          message: 'unexpected failure',
          cause: 'TypeError',
        }),
      );
    });
  });

  describe('signing keys', () => {
    it('keeps serving the cached keys when a later read fails', async () => {
      const { handler, keys, clock, source } = createTestReceiver();
      await handler(signedSampleEvent('project.created'));
      keys.failure = new Error('timeout');
      clock.now = KEY_CACHE_TTL_MS + 1;

      const answer = await handler(signedSampleEvent('project.created'));

      expect(answer).toEqual(ACCEPTED);
      expect(source).toHaveBeenCalledTimes(2);
    });

    it.each([
      ['the new key', ROTATED_KEY],
      ['the old key', TEST_SIGNING_KEY],
    ])('accepts %s while a rotation is under way', async (_, key) => {
      const { handler, keys } = createTestReceiver();
      keys.secret = ROTATING_SECRET;

      const answer = await handler(signedSampleEvent('project.created', key));

      expect(answer).toEqual(ACCEPTED);
    });

    it('picks up a key added after start without waiting for the cache to expire', async () => {
      const { handler, keys, clock, source } = createTestReceiver();
      await handler(signedSampleEvent('project.created'));
      keys.secret = ROTATING_SECRET;
      clock.now = KEY_REFRESH_INTERVAL_MS;
      expect(clock.now).toBeLessThan(KEY_CACHE_TTL_MS);

      const answer = await handler(
        signedSampleEvent('project.created', ROTATED_KEY),
      );

      expect(answer).toEqual(ACCEPTED);
      expect(source).toHaveBeenCalledTimes(2);
    });

    it('waits out the refresh interval before reading the store again', async () => {
      const { handler, keys, clock, source } = createTestReceiver();
      await handler(signedSampleEvent('project.created'));
      keys.secret = ROTATING_SECRET;
      clock.now = KEY_REFRESH_INTERVAL_MS - 1;

      const answer = await handler(
        signedSampleEvent('project.created', ROTATED_KEY),
      );

      expect(answer).toEqual(UNAUTHORIZED);
      expect(source).toHaveBeenCalledOnce();
    });

    it('reads the store at most once more for a burst of bad signatures', async () => {
      const { handler, clock, source } = createTestReceiver();
      await handler(signedSampleEvent('project.created'));
      clock.now = KEY_REFRESH_INTERVAL_MS;

      const answers: ReceiverAnswer[] = [];
      for (let attempt = 0; attempt < 10; attempt += 1) {
        answers.push(
          await handler(signedSampleEvent('project.created', UNKNOWN_KEY)),
        );
      }
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, () =>
            handler(signedSampleEvent('project.created', UNKNOWN_KEY)),
          ),
        )),
      );

      expect(answers.every((answer) => answer.statusCode === 401)).toBe(true);
      expect(source).toHaveBeenCalledTimes(2);
    });
  });

  describe('metrics', () => {
    it('counts a rejection with its reason, and an unauthorized request', async () => {
      const { handler } = createTestReceiver();

      await handler(signedSampleEvent('project.created', UNKNOWN_KEY));

      const points = readMetricPoints();
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.rejected,
        value: 1,
        dimensions: {
          service: TEST_SERVICE_NAME,
          Reason: 'signature-mismatch',
        },
      });
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.unauthorized,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME },
      });
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.received,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME },
      });
    });

    it('counts a bad envelope as rejected but not as unauthorized', async () => {
      const { handler } = createTestReceiver();

      await handler(signedEvent(Buffer.from('[]')));

      expect(readMetricPoints()).toContainEqual({
        name: RECEIVER_METRIC.rejected,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME, Reason: 'envelope-invalid' },
      });
      expect(countMetric(RECEIVER_METRIC.unauthorized)).toBe(0);
    });

    it('counts each forwarded send with its queue', async () => {
      const { handler } = createTestReceiver();

      await handler(signedSampleEvent('project.deleted'));

      const forwarded = readMetricPoints().filter(
        (point) => point.name === RECEIVER_METRIC.forwarded,
      );
      expect(forwarded).toEqual(
        expect.arrayContaining([
          {
            name: RECEIVER_METRIC.forwarded,
            value: 1,
            dimensions: { service: TEST_SERVICE_NAME, Queue: 'catalog' },
          },
          {
            name: RECEIVER_METRIC.forwarded,
            value: 1,
            dimensions: { service: TEST_SERVICE_NAME, Queue: 'audit' },
          },
        ]),
      );
      expect(forwarded).toHaveLength(2);
      expect(countMetric(RECEIVER_METRIC.rejected)).toBe(0);
    });

    it('counts a failed send with its queue, and the rejection', async () => {
      const { handler } = createTestReceiver();
      sqsMock
        .on(SendMessageCommand, { QueueUrl: TEST_QUEUE_URLS.catalog })
        .rejects(new Error('throttled'));

      await handler(signedSampleEvent('project.deleted'));

      const points = readMetricPoints();
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.sendFailed,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME, Queue: 'catalog' },
      });
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.forwarded,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME, Queue: 'audit' },
      });
      expect(points).toContainEqual({
        name: RECEIVER_METRIC.rejected,
        value: 1,
        dimensions: { service: TEST_SERVICE_NAME, Reason: 'queue-unavailable' },
      });
    });

    it('writes per-queue and per-reason metrics with the service dimension too', async () => {
      const { handler } = createTestReceiver();
      sqsMock
        .on(SendMessageCommand, { QueueUrl: TEST_QUEUE_URLS.catalog })
        .rejects(new Error('throttled'));

      await handler(signedSampleEvent('project.deleted'));

      const dimensionSets = readEmfRecords().map((record) => {
        const [directive] = record._aws.CloudWatchMetrics;
        return {
          namespace: directive?.Namespace,
          metrics: directive?.Metrics.map((metric) => metric.Name),
          dimensions: directive?.Dimensions,
        };
      });
      expect(dimensionSets).toEqual(
        expect.arrayContaining([
          {
            namespace: METRICS_NAMESPACE,
            metrics: [RECEIVER_METRIC.sendFailed],
            dimensions: [['service', 'Queue']],
          },
          {
            namespace: METRICS_NAMESPACE,
            metrics: [RECEIVER_METRIC.forwarded],
            dimensions: [['service', 'Queue']],
          },
          {
            namespace: METRICS_NAMESPACE,
            metrics: [RECEIVER_METRIC.rejected],
            dimensions: [['service', 'Reason']],
          },
          {
            namespace: METRICS_NAMESPACE,
            metrics: [RECEIVER_METRIC.received],
            dimensions: [['service']],
          },
        ]),
      );
    });
  });

  describe('secrecy', () => {
    const MARKER = 'marker-5d2c7a91';

    it('never logs or answers a key, a signature or a body', async () => {
      const { handler } = createTestReceiver();
      const sample = readSample('project.public.updated');
      const sentSignatures = [
        signBody(sample, TEST_SIGNING_KEY),
        signBody(sample, UNKNOWN_KEY),
        `${signBody(sample, TEST_SIGNING_KEY).slice(1)}z`,
        `not-hex-${MARKER}`,
      ];
      const markedBodies = [
        Buffer.from(`not json ${MARKER}`),
        Buffer.from(
          `{"type":"${MARKER}","organization_id":"${MARKER}","data":"${MARKER}"}`,
        ),
      ];
      const answers: ReceiverAnswer[] = [];
      const send = async (event: ReceiverEvent) => {
        answers.push(await handler(event));
      };

      await send(signedSampleEvent('project.public.updated'));
      await send(signedSampleEvent('project.public.updated', UNKNOWN_KEY));
      for (const signature of sentSignatures.slice(2)) {
        await send(buildHttpApiEvent({ body: sample, signature }));
      }
      for (const body of markedBodies) {
        await send(signedEvent(body));
      }
      sqsMock
        .on(SendMessageCommand)
        .rejects(new Error(`cannot send ${sample.toString('utf8')}`));
      await send(signedSampleEvent('project.public.updated'));
      const fresh = createTestReceiver();
      fresh.keys.failure = new Error(`cannot parse ${TEST_KEYS_SECRET}`);
      answers.push(await fresh.handler(signedSampleEvent('project.created')));

      const written = output.join('');
      const answered = JSON.stringify(answers);
      const secrets = [
        TEST_SIGNING_KEY,
        ROTATED_KEY,
        OTHER_ORGANIZATION_KEY,
        UNKNOWN_KEY,
        ...sentSignatures,
        sample.toString('utf8'),
        'Pantry Sorting Crew',
        'vomo.test',
        MARKER,
      ];
      expect(readLogRecords().length).toBeGreaterThan(5);
      for (const secret of secrets) {
        expect(written).not.toContain(secret);
        expect(answered).not.toContain(secret);
      }
    });

    it('answers only with its own fixed answers, never echoing the request', async () => {
      const { handler } = createTestReceiver();
      const events = [
        signedSampleEvent('project.created'),
        buildHttpApiEvent({ method: 'DELETE', body: MARKER }),
        buildHttpApiEvent({ body: MARKER }),
        buildHttpApiEvent({ body: `{"type":"${MARKER}"}` }),
        buildHttpApiEvent({
          body: readSample('project.created'),
          signature: MARKER,
        }),
      ];
      const fixed = [
        ACCEPTED,
        answerRejected('method-not-allowed'),
        answerRejected('body-not-json'),
        answerRejected('envelope-invalid'),
        UNAUTHORIZED,
      ];

      const answers = await Promise.all(events.map((event) => handler(event)));

      expect(answers).toEqual(fixed);
    });
  });

  it('refuses to start when a routed queue has no URL', () => {
    const { catalog: _, ...withoutCatalog } = TEST_QUEUE_URLS;

    expect(() => createTestReceiver({ queueUrls: withoutCatalog })).toThrow(
      'no queue URL for routed queue(s): catalog',
    );
  });
});

/** A signed-size envelope padded with a long string to exactly `length`. */
function padToLength(length: number): Buffer {
  const empty = encodeBody({
    type: 'project.created',
    organization_id: 1,
    data: { padding: '' },
  });
  return encodeBody({
    type: 'project.created',
    organization_id: 1,
    data: { padding: 'x'.repeat(length - empty.length) },
  });
}

function text(value: string) {
  return { DataType: 'String', StringValue: value };
}
