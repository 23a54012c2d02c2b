import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample } from '../../events/index.js';
import {
  buildMessage,
  type VerifiedDelivery,
} from '../../functions/receiver/forward.js';
import {
  type EmbeddedQueues,
  startEmbeddedQueues,
} from '../../local/embedded-queues.js';
import {
  describeSentMessage,
  formatSentMessage,
  type SentMessage,
  watchSentMessages,
} from '../../local/sent-messages.js';

const QUEUE_URL = 'http://127.0.0.1:9324/000000000000/volunteering.fifo';
const BODY = readSample('participation.created').toString('utf8');

const DELIVERY: VerifiedDelivery = {
  body: BODY,
  bodySha256: createHash('sha256').update(BODY).digest('hex'),
  type: 'participation.created',
  organizationId: 1,
  object: 'participation',
  action: 'created',
  isPublic: false,
  objectId: '123456',
  receivedAt: new Date('2024-01-15T12:00:00.000Z'),
  requestId: 'request-1',
};

let queues: EmbeddedQueues;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  queues = await startEmbeddedQueues({
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
  });
  sqs = new SQSClient({
    endpoint: queues.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: 'catalog' }),
  );
  queueUrl = created.QueueUrl ?? '';
});

afterAll(async () => {
  sqs.destroy();
  await queues.stop();
});

describe('describeSentMessage', () => {
  it('reads queue, type, organization and size from the message', () => {
    expect(describeSentMessage(buildMessage(DELIVERY, QUEUE_URL))).toEqual({
      queue: 'volunteering.fifo',
      type: 'participation.created',
      organizationId: '1',
      bytes: Buffer.byteLength(BODY),
    });
  });

  it('counts bytes, not characters', () => {
    const body = '{"name":"Jos\u00e9"}';

    const sent = describeSentMessage({
      QueueUrl: QUEUE_URL,
      MessageBody: body,
    });

    expect(sent.bytes).toBe(body.length + 1);
  });
});

describe('formatSentMessage', () => {
  it('prints one line without the body', () => {
    const line = formatSentMessage(
      describeSentMessage(buildMessage(DELIVERY, QUEUE_URL)),
    );

    expect(line).toBe(
      `forwarded  participation.created  organization 1  ` +
        `${Buffer.byteLength(BODY)} bytes  -> volunteering.fifo`,
    );
    expect(line).not.toContain('\n');
  });
});

describe('watchSentMessages', () => {
  it('reports a message the queue accepted', async () => {
    const sent: SentMessage[] = [];
    watchSentMessages(sqs, (message) => sent.push(message));

    await sqs.send(new SendMessageCommand(buildMessage(DELIVERY, queueUrl)));

    expect(sent).toEqual([
      expect.objectContaining({
        queue: 'catalog',
        type: 'participation.created',
      }),
    ]);
  });

  it('reports nothing when the send fails', async () => {
    const client = new SQSClient({
      endpoint: queues.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const sent: SentMessage[] = [];
    watchSentMessages(client, (message) => sent.push(message));

    await expect(
      client.send(
        new SendMessageCommand(buildMessage(DELIVERY, `${queueUrl}-missing`)),
      ),
    ).rejects.toThrow();

    expect(sent).toEqual([]);
    client.destroy();
  });
});
