import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONSUMER_ENTRY,
  LOG_RETENTION_DAYS,
  parseRelayConfig,
  type QueueConfig,
  queueNameOf,
  RelayConfigError,
  readRelayConfig,
  visibilityTimeoutOf,
} from '../../infra/config.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';

const PROJECT_CDK_JSON = new URL('../../cdk.json', import.meta.url).pathname;

const directory = mkdtempSync(join(tmpdir(), 'relay-config-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** SAMPLE_ROUTING with settings added to one queue, which may be a new one. */
function withQueue(key: string, settings: object): object {
  const queues: Record<string, object> = SAMPLE_ROUTING.queues;
  return {
    ...SAMPLE_ROUTING,
    queues: { ...queues, [key]: { ...queues[key], ...settings } },
  };
}

/** SAMPLE_ROUTING with a consumer on one queue; `fifo` picks which. */
function withConsumer(consumer: object, fifo = true): object {
  return withQueue(fifo ? 'volunteering' : 'catalog', { consumer });
}

/** One queue of a raw config, as parseRelayConfig leaves it. */
function readQueue(raw: object, key: string): QueueConfig {
  const queue = parseRelayConfig(raw).queues[key];
  if (queue === undefined) {
    throw new Error(`the config has no queue "${key}"`);
  }
  return queue;
}

/** The message parseRelayConfig fails with for one changed config. */
function readError(raw: unknown): string {
  try {
    parseRelayConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('parseRelayConfig', () => {
  it('accepts a valid config and fills in every default', () => {
    const config = parseRelayConfig(SAMPLE_ROUTING);

    expect(config).toMatchObject({
      stackName: 'VomoRelay',
      queues: {
        volunteering: {
          fifo: true,
          retentionDays: 14,
          maxReceiveCount: 5,
          visibilityTimeoutSeconds: 60,
        },
        catalog: { fifo: false },
      },
      organizations: SAMPLE_ROUTING.organizations,
      unrouted: 'unrouted',
      api: { rateLimit: 50, burstLimit: 100 },
      receiver: { memorySizeMb: 512, keyCacheSeconds: 300, logLevel: 'INFO' },
      alarms: { unauthorizedPerFiveMinutes: 10, oldestMessageAgeMinutes: 60 },
      logRetentionDays: 30,
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(config.receiver.maxBodyBytes).toBeUndefined();
    expect(config.receiver.reservedConcurrency).toBeUndefined();
  });

  it('keeps values that were given', () => {
    const config = parseRelayConfig({
      ...withQueue('catalog', { maxReceiveCount: 3 }),
      receiver: { maxBodyBytes: 65_536, keyCacheSeconds: 60 },
      alarmEmail: 'ops@example.com',
    });

    expect(config.queues.catalog?.maxReceiveCount).toBe(3);
    expect(config.receiver).toMatchObject({
      maxBodyBytes: 65_536,
      keyCacheSeconds: 60,
    });
    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('accepts a config without an unrouted queue', () => {
    const { unrouted: _, ...config } = SAMPLE_ROUTING;

    expect(parseRelayConfig(config).unrouted).toBeUndefined();
  });

  it('accepts a thousand organizations', () => {
    const organizations = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, index) => [
        String(index + 1),
        [{ events: ['*'], queue: 'catalog' }],
      ]),
    );

    const config = parseRelayConfig({ ...SAMPLE_ROUTING, organizations });

    expect(Object.keys(config.organizations)).toHaveLength(1_000);
  });

  it('accepts every retention CloudWatch Logs offers', () => {
    for (const days of LOG_RETENTION_DAYS) {
      const config = parseRelayConfig({
        ...SAMPLE_ROUTING,
        logRetentionDays: days,
      });

      expect(config.logRetentionDays).toBe(days);
    }
  });

  it('says so when there is no config at all', () => {
    expect(readError(undefined)).toBe('cdk.json has no "context.vomo" section');
  });

  it('names a route to a queue that is not configured', () => {
    const config = {
      ...SAMPLE_ROUTING,
      organizations: { '1': [{ events: ['project.*'], queue: 'missing' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.queue: names queue "missing", which "queues" lacks',
    );
  });

  it('names an unrouted queue that is not configured', () => {
    expect(readError({ ...SAMPLE_ROUTING, unrouted: 'missing' })).toContain(
      'context.vomo.unrouted: names queue "missing", which "queues" lacks',
    );
  });

  it.each(['0', '01', 'abc', '-1', '1.5'])(
    'rejects the organization id %s, saying what an id is',
    (id) => {
      const config = { ...SAMPLE_ROUTING, organizations: { [id]: [] } };

      expect(readError(config)).toContain(
        `context.vomo.organizations.${id}: use a positive integer id`,
      );
    },
  );

  it.each([
    ['a space', 'bad name'],
    ['a dot', 'queue.fifo'],
    ['76 characters', 'q'.repeat(76)],
  ])('rejects a queue name with %s, saying what a name is', (_, name) => {
    expect(readError(withQueue(name, {}))).toContain(
      `context.vomo.queues.${name}: use 1-75 letters, digits, "-" or "_"`,
    );
  });

  it('accepts a queue name of 75 characters', () => {
    const name = 'q'.repeat(75);

    const queue = readQueue(withQueue(name, { fifo: true }), name);

    expect(queueNameOf(name, queue)).toBe(`${name}.fifo`);
  });

  it('rejects an event pattern with a space', () => {
    const config = {
      ...SAMPLE_ROUTING,
      organizations: { '1': [{ events: ['project *'], queue: 'catalog' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.events.0: use letters, digits',
    );
  });

  it('accepts an event pattern with capitals and dashes, as types may have', () => {
    const config = {
      ...SAMPLE_ROUTING,
      organizations: {
        '1': [{ events: ['volunteerHours.*', 're-sync.*'], queue: 'catalog' }],
      },
    };

    expect(() => parseRelayConfig(config)).not.toThrow();
  });

  it('rejects a route without event patterns', () => {
    const config = {
      ...SAMPLE_ROUTING,
      organizations: { '1': [{ events: [], queue: 'catalog' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.events: name at least one event pattern',
    );
  });

  it('rejects a config without queues', () => {
    const config = { ...SAMPLE_ROUTING, queues: {}, unrouted: undefined };

    expect(readError(config)).toContain('context.vomo.queues: name one queue');
  });

  it('rejects a key it does not know, naming it', () => {
    expect(readError({ ...SAMPLE_ROUTING, queue: {} })).toContain(
      'context.vomo: Unrecognized key: "queue"',
    );
  });

  it('rejects a queue setting it does not know, naming it', () => {
    const config = withQueue('catalog', { fifoo: true });

    expect(readError(config)).toContain('context.vomo.queues.catalog:');
  });

  it('rejects an alarm setting it does not know, naming it', () => {
    const config = { ...SAMPLE_ROUTING, alarms: { unauthorisedPerMinute: 3 } };

    expect(readError(config)).toContain('context.vomo.alarms');
  });

  it.each([
    [
      'a body limit above what API Gateway takes',
      'receiver.maxBodyBytes',
      { receiver: { maxBodyBytes: 1_044_481 } },
    ],
    [
      'a body limit below 1 KiB',
      'receiver.maxBodyBytes',
      { receiver: { maxBodyBytes: 1_023 } },
    ],
    [
      'a key cache shorter than the 30 s between forced reads',
      'receiver.keyCacheSeconds',
      { receiver: { keyCacheSeconds: 29 } },
    ],
    [
      'a key cache longer than an hour',
      'receiver.keyCacheSeconds',
      { receiver: { keyCacheSeconds: 3_601 } },
    ],
    [
      'a log level Powertools does not know',
      'receiver.logLevel',
      { receiver: { logLevel: 'LOUD' } },
    ],
    [
      'a queue retention longer than SQS keeps messages',
      'queues.catalog.retentionDays',
      { queues: { catalog: { retentionDays: 15 } } },
    ],
    [
      'a fifo flag that is no boolean',
      'queues.catalog.fifo',
      { queues: { catalog: { fifo: 'yes' } } },
    ],
    ['a burst limit of zero', 'api.burstLimit', { api: { burstLimit: 0 } }],
    [
      'an alarm email that is not an address',
      'alarmEmail',
      { alarmEmail: 'ops' },
    ],
    [
      'a log retention CloudWatch Logs does not offer',
      'logRetentionDays',
      { logRetentionDays: 2 },
    ],
    [
      'a stack name CloudFormation would refuse',
      'stackName',
      { stackName: 'vomo_relay' },
    ],
  ])('rejects %s, naming %s', (_, path, change) => {
    const config = {
      ...SAMPLE_ROUTING,
      unrouted: undefined,
      organizations: {},
      ...change,
    };

    expect(readError(config)).toContain(`context.vomo.${path}:`);
  });

  it('names every bad key in one error', () => {
    const config = {
      ...SAMPLE_ROUTING,
      organizations: { '1': [{ events: ['project *'], queue: 'missing' }] },
      unrouted: 'absent',
    };

    const lines = readError(config).split('\n');

    expect(lines[0]).toBe('Invalid routing config in cdk.json:');
    expect(lines.slice(1)).toEqual([
      expect.stringContaining('context.vomo.organizations.1.0.events.0:'),
      expect.stringContaining('context.vomo.organizations.1.0.queue:'),
      expect.stringContaining('context.vomo.unrouted:'),
    ]);
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
    expect(readQueue(SAMPLE_ROUTING, 'volunteering').consumer).toBeUndefined();
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
    const message = readError(withConsumer({ batchSize: 11 }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.batchSize: a FIFO queue',
    );
  });

  it('rejects a batching window on a FIFO queue, naming the key', () => {
    const message = readError(withConsumer({ maxBatchingWindowSeconds: 5 }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.maxBatchingWindowSeconds',
    );
  });

  it('rejects a standard batch over 10 without a batching window', () => {
    const message = readError(withConsumer({ batchSize: 50 }, false));

    expect(message).toContain(
      'context.vomo.queues.catalog.consumer.batchSize: a batch of more than 10 needs maxBatchingWindowSeconds',
    );
  });

  it('rejects an entry file that does not exist, naming the key', () => {
    const message = readError(
      withConsumer({ entry: 'functions/consumer/missing.ts' }),
    );

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.entry: no such file',
    );
    expect(message).toContain('functions/consumer/missing.ts');
  });

  it('rejects an entry that is not a script', () => {
    const message = readError(withConsumer({ entry: 'cdk.json' }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.entry',
    );
  });

  it('rejects a handler that is not an export name', () => {
    const message = readError(withConsumer({ handler: 'index.handler' }));

    expect(message).toContain(
      'context.vomo.queues.volunteering.consumer.handler',
    );
  });

  it('rejects a concurrency Lambda does not offer for SQS', () => {
    expect(readError(withConsumer({ maxConcurrency: 1 }))).toContain(
      'context.vomo.queues.volunteering.consumer.maxConcurrency',
    );
    expect(readError(withConsumer({ maxConcurrency: 1001 }))).toContain(
      'context.vomo.queues.volunteering.consumer.maxConcurrency',
    );
  });

  it('rejects an unknown consumer setting', () => {
    const message = readError(withConsumer({ memoryMb: 512 }));

    expect(message).toContain('context.vomo.queues.volunteering.consumer');
  });
});

describe('visibilityTimeoutOf', () => {
  it('keeps the configured timeout of a queue without a consumer', () => {
    const raw = withQueue('unrouted', { visibilityTimeoutSeconds: 5 });

    expect(visibilityTimeoutOf(readQueue(raw, 'unrouted'))).toBe(5);
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
    const raw = withQueue('volunteering', {
      consumer: { timeoutSeconds: 10 },
      visibilityTimeoutSeconds: 61,
    });

    expect(visibilityTimeoutOf(readQueue(raw, 'volunteering'))).toBe(61);
  });
});

describe('readRelayConfig', () => {
  it("reads the project's own cdk.json", () => {
    const config = readRelayConfig(PROJECT_CDK_JSON);

    expect(Object.keys(config.queues).length).toBeGreaterThan(0);
  });

  it('fails when cdk.json has no vomo context', () => {
    const file = join(directory, 'cdk.json');
    writeFileSync(file, JSON.stringify({ app: 'npx tsx infra/app.ts' }));

    expect(() => readRelayConfig(file)).toThrow(RelayConfigError);
  });

  it('validates the vomo context it reads', () => {
    const file = join(directory, 'bad-cdk.json');
    const vomo = { ...SAMPLE_ROUTING, unrouted: 'missing' };
    writeFileSync(file, JSON.stringify({ context: { vomo } }));

    expect(() => readRelayConfig(file)).toThrow('context.vomo.unrouted');
  });
});

describe('queueNameOf', () => {
  it('adds the .fifo suffix to a FIFO queue', () => {
    const queue = readQueue(SAMPLE_ROUTING, 'volunteering');

    expect(queueNameOf('volunteering', queue)).toBe('volunteering.fifo');
  });

  it('keeps the name of a standard queue', () => {
    const queue = readQueue(SAMPLE_ROUTING, 'catalog');

    expect(queueNameOf('catalog', queue)).toBe('catalog');
  });
});
