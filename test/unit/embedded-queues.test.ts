import { connect } from 'node:net';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { useEmbeddedQueues } from '../fixtures/embedded-sqs.js';

const embedded = useEmbeddedQueues();

/** Tells whether a TCP connection to host:port is accepted. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startEmbeddedQueues', () => {
  it('serves the SQS protocol at its endpoint', async () => {
    const sqs = embedded.sqs();
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'orders.fifo',
        Attributes: { FifoQueue: 'true' },
      }),
    );

    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"a":1}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );

    expect(Messages?.map((message) => message.Body)).toEqual(['{"a":1}']);
  });

  it('listens on the loopback interface only', async () => {
    const port = Number(new URL(embedded.queues().endpoint).port);

    // A server on every interface would take 127.0.0.2 too, as any address
    // of 127/8 reaches this machine.
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(await canConnect('127.0.0.2', port)).toBe(false);
  });
});
