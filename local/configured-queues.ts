import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type QueueConfig,
  queueNameOf,
  type RelayConfig,
  visibilityTimeoutOf,
} from '../infra/config.js';

const SECONDS_PER_DAY = 86_400;

/**
 * The attributes a configured queue is created with. Dead-letter queues are
 * left to the deployed stack: locally a failing consumer is seen at once.
 */
export function queueAttributesOf(queue: QueueConfig): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(visibilityTimeoutOf(queue)),
    MessageRetentionPeriod: String(queue.retentionDays * SECONDS_PER_DAY),
  };

  if (queue.fifo) {
    attributes.FifoQueue = 'true';
  }

  return attributes;
}

/**
 * Finds every configured queue under its SQS name, creating the missing ones,
 * and returns their URLs by configured key. A queue that exists is left as it
 * is, so a real account's settings are never changed.
 */
export async function ensureConfiguredQueues(
  sqs: SQSClient,
  config: RelayConfig,
): Promise<Record<string, string>> {
  const entries = Object.entries(config.queues).map(
    async ([key, queue]) =>
      [key, await ensureQueue(sqs, queueNameOf(key, queue), queue)] as const,
  );

  return Object.fromEntries(await Promise.all(entries));
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  queue: QueueConfig,
): Promise<string> {
  try {
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (found.QueueUrl !== undefined) {
      return found.QueueUrl;
    }
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) {
      throw error;
    }
  }

  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: queueAttributesOf(queue),
    }),
  );
  if (created.QueueUrl === undefined) {
    throw new Error(`creating queue ${name} returned no URL`);
  }

  return created.QueueUrl;
}
