import { createHash } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSample } from '../../events/index.js';
import {
  buildMessage,
  type VerifiedDelivery,
} from '../../functions/receiver/forward.js';
import {
  describeSentMessage,
  formatSentMessage,
  type SentMessage,
  watchSentMessages,
} from '../../local/sent-messages.js';
import {
  createEmbeddedSqsClient,
  useEmbeddedQueues,
} from '../fixtures/embedded-sqs.js';

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

const embedded = useEmbeddedQueues();
let queueUrl: string;

beforeAll(async () => {
  const catalog = new CreateQueueCommand({ QueueName: 'catalog' });
  const created = await embedded.sqs().send(catalog);
  queueUrl = created.QueueUrl ?? '';
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
    const sqs = embedded.sqs();
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
    const client = createEmbeddedSqsClient(embedded.queues().endpoint);
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
