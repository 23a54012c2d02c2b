import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRelayConfig, type QueueConfig } from '../../infra/config.js';
import {
  ensureConfiguredQueues,
  queueAttributesOf,
} from '../../local/configured-queues.js';

const BASE_URL = 'http://127.0.0.1:9324/000000000000';

const CONFIG = parseRelayConfig({
  queues: {
    volunteering: {
      fifo: true,
      retentionDays: 4,
      visibilityTimeoutSeconds: 90,
    },
    catalog: {},
  },
  organizations: {
    '1': [{ events: ['participation.*'], queue: 'volunteering' }],
  },
});

const sqsMock = mockClient(SQSClient);

function queueOf(key: string): QueueConfig {
  const queue = CONFIG.queues[key];
  if (queue === undefined) {
    throw new Error(`the test config has no queue ${key}`);
  }
  return queue;
}

function missingQueue(): QueueDoesNotExist {
  return new QueueDoesNotExist({ message: 'no such queue', $metadata: {} });
}

beforeEach(() => {
  sqsMock.reset();
});

describe('queueAttributesOf', () => {
  it('makes a FIFO queue with the configured timings', () => {
    expect(queueAttributesOf(queueOf('volunteering'))).toEqual({
      FifoQueue: 'true',
      VisibilityTimeout: '90',
      MessageRetentionPeriod: String(4 * 86_400),
    });
  });

  it("raises the visibility timeout to fit the queue's consumer", () => {
    const config = parseRelayConfig({
      queues: { catalog: { consumer: { timeoutSeconds: 20 } } },
      organizations: {},
    });
    const catalog = config.queues.catalog as QueueConfig;

    expect(catalog.visibilityTimeoutSeconds).toBe(60);
    expect(queueAttributesOf(catalog).VisibilityTimeout).toBe(String(6 * 20));
  });

  it('leaves FifoQueue out of a standard queue', () => {
    expect(queueAttributesOf(queueOf('catalog'))).not.toHaveProperty(
      'FifoQueue',
    );
  });
});

describe('ensureConfiguredQueues', () => {
  it('returns the URL of every configured queue by key', async () => {
    sqsMock
      .on(GetQueueUrlCommand)
      .callsFake(({ QueueName }) => ({ QueueUrl: `${BASE_URL}/${QueueName}` }));

    const urls = await ensureConfiguredQueues(new SQSClient({}), CONFIG);

    expect(urls).toEqual({
      volunteering: `${BASE_URL}/volunteering.fifo`,
      catalog: `${BASE_URL}/catalog`,
    });
    expect(sqsMock).not.toHaveReceivedCommand(CreateQueueCommand);
  });

  it('creates a missing queue under its SQS name', async () => {
    sqsMock
      .on(GetQueueUrlCommand, { QueueName: 'volunteering.fifo' })
      .rejects(missingQueue())
      .on(GetQueueUrlCommand, { QueueName: 'catalog' })
      .resolves({ QueueUrl: `${BASE_URL}/catalog` })
      .on(CreateQueueCommand)
      .resolves({ QueueUrl: `${BASE_URL}/volunteering.fifo` });

    const urls = await ensureConfiguredQueues(new SQSClient({}), CONFIG);

    expect(urls.volunteering).toBe(`${BASE_URL}/volunteering.fifo`);
    expect(sqsMock).toHaveReceivedCommandTimes(CreateQueueCommand, 1);
    expect(sqsMock).toHaveReceivedCommandWith(CreateQueueCommand, {
      QueueName: 'volunteering.fifo',
      Attributes: expect.objectContaining({ FifoQueue: 'true' }),
    });
  });

  it('passes on any other failure', async () => {
    sqsMock.on(GetQueueUrlCommand).rejects(new Error('access denied'));

    await expect(
      ensureConfiguredQueues(new SQSClient({}), CONFIG),
    ).rejects.toThrow('access denied');
    expect(sqsMock).not.toHaveReceivedCommand(CreateQueueCommand);
  });
});
