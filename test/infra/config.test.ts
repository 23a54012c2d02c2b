import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONSUMER_ENTRY,
  LOG_RETENTION_DAYS,
  parseRelayConfig,
  type QueueConfig,
  RelayConfigError,
  visibilityTimeoutOf,
} from '../../infra/config.js';
import { TEST_CONFIG } from './synthesize.js';

/** TEST_CONFIG with a consumer on one queue; `fifo` picks which. */
function withConsumer(consumer: object, fifo = true): object {
  const key = fifo ? 'volunteering' : 'catalog';
  return {
    ...TEST_CONFIG,
    queues: {
      ...TEST_CONFIG.queues,
      [key]: { ...TEST_CONFIG.queues[key], consumer },
    },
  };
}

function readQueue(raw: object, key: string): QueueConfig {
  const queue = parseRelayConfig(raw).queues[key];
  if (queue === undefined) {
    throw new Error(`the config has no queue "${key}"`);
  }
  return queue;
}

function readIssues(raw: object): string {
  try {
    parseRelayConfig(raw);
  } catch (error) {
    if (error instanceof RelayConfigError) {
      return error.message;
    }
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseRelayConfig', () => {
  it('fills in the defaults the stack reads', () => {
    const config = parseRelayConfig(TEST_CONFIG);

    expect(config).toMatchObject({
      stackName: 'VomoRelay',
      api: { rateLimit: 50, burstLimit: 100 },
      receiver: { memorySizeMb: 512, keyCacheSeconds: 300, logLevel: 'INFO' },
      alarms: { unauthorizedPerFiveMinutes: 10, oldestMessageAgeMinutes: 60 },
      logRetentionDays: 30,
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(config.receiver.reservedConcurrency).toBeUndefined();
  });

  it('accepts every retention CloudWatch Logs offers', () => {
    for (const days of LOG_RETENTION_DAYS) {
      const config = parseRelayConfig({
        ...TEST_CONFIG,
        logRetentionDays: days,
      });

      expect(config.logRetentionDays).toBe(days);
    }
  });

  it('rejects a retention CloudWatch Logs does not offer, naming the key', () => {
    const message = readIssues({ ...TEST_CONFIG, logRetentionDays: 2 });

    expect(message).toContain('context.vomo.logRetentionDays');
  });

  it('rejects a stack name CloudFormation would refuse', () => {
    const message = readIssues({ ...TEST_CONFIG, stackName: 'vomo_relay' });

    expect(message).toContain('context.vomo.stackName');
  });

  it('rejects an unknown log level', () => {
    const message = readIssues({
      ...TEST_CONFIG,
      receiver: { logLevel: 'LOUD' },
    });

    expect(message).toContain('context.vomo.receiver.logLevel');
  });

  it('rejects an unknown alarm setting', () => {
    const message = readIssues({
      ...TEST_CONFIG,
      alarms: { unauthorisedPerMinute: 3 },
    });

    expect(message).toContain('context.vomo.alarms');
  });

  it('rejects an alarm email that is not an address', () => {
    const message = readIssues({ ...TEST_CONFIG, alarmEmail: 'operations' });

    expect(message).toContain('context.vomo.alarmEmail');
  });
});

describe('parseRelayConfig: consumer', () => {
  it('attaches the example consumer with its defaults to an empty object', () => {
    const queue = readQueue(withConsumer({}), 'volunteering');

    expect(queue.consumer).toEqual({
      entry: DEFAULT_CONSUMER_ENTRY,
      handler: 'handler',
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      timeoutSeconds: 30,
      memorySizeMb: 256,
    });
  });

  it('attaches no consumer to a queue that names none', () => {
    expect(readQueue(TEST_CONFIG, 'volunteering').consumer).toBeUndefined();
  });

  it('takes every setting of a standard queue consumer', () => {
    const consumer = {
      entry: 'test/fixtures/recording-consumer.ts',
      handler: 'recordBatch',
      batchSize: 100,
      maxBatchingWindowSeconds: 20,
      maxConcurrency: 5,
      timeoutSeconds: 60,
      memorySizeMb: 1024,
    };

    expect(
      readQueue(withConsumer(consumer, false), 'catalog').consumer,
    ).toEqual(consumer);
  });

  it('rejects a FIFO batch over 10, naming the key', () => {
    const message = readIssues(withConsumer({ batchSize: 11 }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.batchSize: a FIFO queue',
    );
  });

  it('rejects a batching window on a FIFO queue, naming the key', () => {
    const message = readIssues(withConsumer({ maxBatchingWindowSeconds: 5 }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.maxBatchingWindowSeconds',
    );
  });

  it('rejects a standard batch over 10 without a batching window', () => {
    const message = readIssues(withConsumer({ batchSize: 50 }, false));

    expect(message).toContain(
      'context.vomo.queues.catalog.consumer.batchSize: a batch of more than 10 needs maxBatchingWindowSeconds',
    );
  });

  it('rejects an entry file that does not exist, naming the key', () => {
    const message = readIssues(
      withConsumer({ entry: 'functions/consumer/missing.ts' }),
    );

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.entry: no such file',
    );
    expect(message).toContain('functions/consumer/missing.ts');
  });

  it('rejects an entry that is not a script', () => {
    const message = readIssues(withConsumer({ entry: 'cdk.json' }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.entry',
    );
  });

  it('rejects a handler that is not an export name', () => {
    const message = readIssues(withConsumer({ handler: 'index.handler' }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.handler',
    );
  });

  it('rejects a concurrency Lambda does not offer for SQS', () => {
    expect(readIssues(withConsumer({ maxConcurrency: 1 }))).toContain(
      'context.vomo.queues.volunteering.consumer.maxConcurrency',
    );
    expect(readIssues(withConsumer({ maxConcurrency: 1001 }))).toContain(
      'context.vomo.queues.volunteering.consumer.maxConcurrency',
    );
  });

  it('rejects an unknown consumer setting', () => {
    const message = readIssues(withConsumer({ memoryMb: 512 }));

    expect(message).toContain('context.vomo.queues.volunteering.consumer');
  });
});

describe('visibilityTimeoutOf', () => {
  it('keeps the configured timeout of a queue without a consumer', () => {
    const queue = readQueue(
      {
        ...TEST_CONFIG,
        queues: {
          ...TEST_CONFIG.queues,
          unrouted: { visibilityTimeoutSeconds: 5 },
        },
      },
      'unrouted',
    );

    expect(visibilityTimeoutOf(queue)).toBe(5);
  });

  it('raises it to six function timeouts plus the batching window', () => {
    const queue = readQueue(
      withConsumer({ timeoutSeconds: 40, maxBatchingWindowSeconds: 15 }, false),
      'catalog',
    );

    expect(queue.visibilityTimeoutSeconds).toBe(60);
    expect(visibilityTimeoutOf(queue)).toBe(6 * 40 + 15);
  });

  it('keeps a configured timeout that is already long enough', () => {
    const raw = withConsumer({ timeoutSeconds: 10 });
    const queues = (raw as { queues: Record<string, object> }).queues;
    const queue = readQueue(
      {
        ...raw,
        queues: {
          ...queues,
          volunteering: {
            ...queues.volunteering,
            visibilityTimeoutSeconds: 61,
          },
        },
      },
      'volunteering',
    );

    expect(visibilityTimeoutOf(queue)).toBe(61);
  });
});
