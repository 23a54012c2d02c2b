import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseRelayConfig, type QueueConfig } from '../../infra/config.js';
import { MAX_MESSAGE_BYTES, RelayQueue } from '../../infra/relay-queue.js';

const SECONDS_PER_DAY = 86_400;

function readQueueConfig(raw: object): QueueConfig {
  const config = parseRelayConfig({
    queues: { orders: raw },
    organizations: {},
  });
  return config.queues.orders as QueueConfig;
}

function synthesizeQueue(raw: object = {}) {
  const stack = new Stack(
    new App({ builtinCloudFormationValidation: false }),
    'QueueTest',
  );
  const relayQueue = new RelayQueue(stack, 'orders', readQueueConfig(raw));
  const template = Template.fromStack(stack);

  const queueOf = (queue: typeof relayQueue.queue) =>
    template.findResources('AWS::SQS::Queue')[
      stack.getLogicalId(queue.node.defaultChild as CfnElement)
    ]?.Properties as Record<string, unknown>;

  return {
    stack,
    template,
    relayQueue,
    queue: queueOf(relayQueue.queue),
    deadLetters: queueOf(relayQueue.deadLetterQueue),
  };
}

describe('RelayQueue', () => {
  it('moves a message to its dead-letter queue after the configured receive count', () => {
    const { stack, relayQueue, queue } = synthesizeQueue({
      maxReceiveCount: 7,
    });

    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: stack.resolve(relayQueue.deadLetterQueue.queueArn),
      maxReceiveCount: 7,
    });
  });

  it('makes the queue and its dead-letter queue FIFO for a FIFO config', () => {
    const { queue, deadLetters } = synthesizeQueue({ fifo: true });

    expect(queue.FifoQueue).toBe(true);
    expect(deadLetters.FifoQueue).toBe(true);
  });

  it('keeps a standard queue and its dead-letter queue standard', () => {
    const { queue, deadLetters } = synthesizeQueue();

    expect(queue.FifoQueue).toBeUndefined();
    expect(deadLetters.FifoQueue).toBeUndefined();
  });

  it('encrypts both queues with SQS-managed keys', () => {
    const { queue, deadLetters } = synthesizeQueue();

    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(deadLetters.SqsManagedSseEnabled).toBe(true);
  });

  it('refuses requests to either queue that do not use TLS', () => {
    const { stack, template, relayQueue } = synthesizeQueue();

    for (const queue of [relayQueue.queue, relayQueue.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [stack.resolve(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('takes the largest message SQS allows on both queues', () => {
    const { queue, deadLetters } = synthesizeQueue();

    expect(MAX_MESSAGE_BYTES).toBe(1024 * 1024);
    expect(queue.MaximumMessageSize).toBe(MAX_MESSAGE_BYTES);
    expect(deadLetters.MaximumMessageSize).toBe(MAX_MESSAGE_BYTES);
  });

  it('keeps messages for the configured days and dead letters for 14', () => {
    const { queue, deadLetters } = synthesizeQueue({ retentionDays: 3 });

    expect(queue.MessageRetentionPeriod).toBe(3 * SECONDS_PER_DAY);
    expect(deadLetters.MessageRetentionPeriod).toBe(14 * SECONDS_PER_DAY);
  });

  it('hides a received message for the configured visibility timeout', () => {
    const { queue } = synthesizeQueue({ visibilityTimeoutSeconds: 90 });

    expect(queue.VisibilityTimeout).toBe(90);
  });
});
