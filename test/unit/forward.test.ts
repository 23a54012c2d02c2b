import { createHash } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_ATTRIBUTE, readSample } from '../../events/index.js';
import {
  buildMessage,
  forwardToQueues,
  groupIdOf,
  isFifoQueueUrl,
  type VerifiedDelivery,
} from '../../functions/receiver/forward.js';

const QUEUE_BASE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const STANDARD_URL = `${QUEUE_BASE_URL}/catalog`;
const FIFO_URL = `${QUEUE_BASE_URL}/volunteering.fifo`;
const DEADLINE_MS = 50;

// Far above the deadline, so a busy machine cannot fail it; a send that
// really hung would never finish at all.
const HANG_BOUND_MS = 2_000;

const BODY = readSample('project.created').toString('utf8');

const DELIVERY: VerifiedDelivery = {
  body: BODY,
  bodySha256: createHash('sha256').update(BODY).digest('hex'),
  type: 'project.created',
  organizationId: 1,
  object: 'project',
  action: 'created',
  isPublic: false,
  objectId: '90909',
  receivedAt: new Date('2024-01-15T12:00:00.000Z'),
  requestId: 'request-1',
};

const sqsMock = mockClient(SQSClient);

describe('isFifoQueueUrl', () => {
  it('tells a FIFO queue by its .fifo suffix', () => {
    expect(isFifoQueueUrl(FIFO_URL)).toBe(true);
    expect(isFifoQueueUrl(STANDARD_URL)).toBe(false);
  });
});

describe('groupIdOf', () => {
  it('joins organization, object and object id', () => {
    expect(groupIdOf(DELIVERY)).toBe('1:project:90909');
  });

  it('writes a dash for an event without an object id', () => {
    expect(groupIdOf({ ...DELIVERY, objectId: undefined })).toBe('1:project:-');
  });

  it('replaces characters SQS refuses in a group id', () => {
    expect(groupIdOf({ ...DELIVERY, objectId: 'a b/c:d\u00e9' })).toBe(
      '1:project:a_b_c_d_',
    );
  });

  it('cuts each part to 40 characters', () => {
    const objectId = '9'.repeat(60);

    expect(groupIdOf({ ...DELIVERY, objectId })).toBe(
      `1:project:${'9'.repeat(40)}`,
    );
  });
});

describe('buildMessage', () => {
  it('sends the body unchanged', () => {
    expect(buildMessage(DELIVERY, STANDARD_URL)).toMatchObject({
      QueueUrl: STANDARD_URL,
      MessageBody: BODY,
    });
  });

  it('carries what was learned as message attributes', () => {
    const message = buildMessage(DELIVERY, STANDARD_URL);

    expect(message.MessageAttributes).toEqual({
      [MESSAGE_ATTRIBUTE.type]: text('project.created'),
      [MESSAGE_ATTRIBUTE.organizationId]: {
        DataType: 'Number',
        StringValue: '1',
      },
      [MESSAGE_ATTRIBUTE.object]: text('project'),
      [MESSAGE_ATTRIBUTE.action]: text('created'),
      [MESSAGE_ATTRIBUTE.isPublic]: text('false'),
      [MESSAGE_ATTRIBUTE.bodySha256]: text(DELIVERY.bodySha256),
      [MESSAGE_ATTRIBUTE.receivedAt]: text('2024-01-15T12:00:00.000Z'),
      [MESSAGE_ATTRIBUTE.requestId]: text('request-1'),
    });
  });

  it('gives a FIFO queue a group id and the body hash as deduplication id', () => {
    const message = buildMessage(DELIVERY, FIFO_URL);

    expect(message.MessageGroupId).toBe('1:project:90909');
    expect(message.MessageDeduplicationId).toBe(DELIVERY.bodySha256);
  });

  it('gives a standard queue neither group nor deduplication id', () => {
    const message = buildMessage(DELIVERY, STANDARD_URL);

    expect(message).not.toHaveProperty('MessageGroupId');
    expect(message).not.toHaveProperty('MessageDeduplicationId');
  });
});

describe('forwardToQueues', () => {
  const sqs = new SQSClient({ region: 'eu-west-1' });
  const targets = [
    { key: 'catalog', url: STANDARD_URL },
    { key: 'volunteering', url: FIFO_URL },
  ];

  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
  });

  it('sends to every target once and reports no failure', async () => {
    const result = await forwardToQueues(sqs, DELIVERY, targets, DEADLINE_MS);

    expect(result).toEqual({ failed: [] });
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: STANDARD_URL,
    });
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: FIFO_URL,
    });
  });

  it('sends nothing when there is no target', async () => {
    const result = await forwardToQueues(sqs, DELIVERY, [], DEADLINE_MS);

    expect(result).toEqual({ failed: [] });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('names the queue whose send failed, without throwing', async () => {
    const failure = new Error('queue does not exist');
    sqsMock.on(SendMessageCommand, { QueueUrl: FIFO_URL }).rejects(failure);

    const result = await forwardToQueues(sqs, DELIVERY, targets, DEADLINE_MS);

    expect(result).toEqual({
      failed: [{ key: 'volunteering', error: failure }],
    });
  });

  it('gives up on a send that never settles once the deadline passes', async () => {
    sqsMock
      .on(SendMessageCommand, { QueueUrl: FIFO_URL })
      .callsFake(() => new Promise(() => {}));
    const startedAt = performance.now();

    const result = await forwardToQueues(sqs, DELIVERY, targets, DEADLINE_MS);

    expect(performance.now() - startedAt).toBeLessThan(HANG_BOUND_MS);
    expect(result.failed.map((failure) => failure.key)).toEqual([
      'volunteering',
    ]);
  });
});

function text(value: string) {
  return { DataType: 'String', StringValue: value };
}
