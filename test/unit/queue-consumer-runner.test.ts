import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readSample } from '../../events/index.js';
import {
  type ConsumerConfig,
  parseRelayConfig,
  RelayConfigError,
} from '../../infra/config.js';
import {
  type BatchOutcome,
  createLocalContext,
  formatBatchOutcome,
  loadConsumerHandler,
  MAX_RECEIVE_MESSAGES,
  type QueueConsumerOptions,
  type RunningConsumer,
  readBatchResponse,
  type SqsHandler,
  startQueueConsumer,
} from '../../local/queue-consumer-runner.js';
import { buildSdkMessage } from '../fixtures/queue-records.js';

const QUEUE_URL = 'http://127.0.0.1:9324/123456789012/catalog';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:catalog';
const FIXTURE_ENTRY = 'test/fixtures/recording-consumer.ts';
const EMPTY_RECEIVE_DELAY_MS = 20;

const sqsMock = mockClient(SQSClient);
const running: RunningConsumer[] = [];

function readConsumer(consumer: object = {}): ConsumerConfig {
  const config = parseRelayConfig({
    queues: { catalog: { consumer } },
    organizations: {},
  });
  const found = config.queues.catalog?.consumer;
  if (found === undefined) {
    throw new Error('the test config has no consumer');
  }
  return found;
}

function messagesOf(...ids: string[]): Message[] {
  const body = readSample('project.created').toString();
  return ids.map((id) => buildSdkMessage(body, { messageId: id }));
}

/** Serves one batch, then empty receives that take a moment, as a long poll would. */
function serveBatch(messages: Message[]): void {
  sqsMock
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: messages })
    .callsFake(
      () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({}), EMPTY_RECEIVE_DELAY_MS),
        ),
    );
}

/** The options of a consumer of the catalog queue, changed where given. */
function catalogConsumer(
  options: Pick<QueueConsumerOptions, 'handler'> &
    Partial<QueueConsumerOptions>,
): QueueConsumerOptions {
  return {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    queue: 'catalog',
    queueUrl: QUEUE_URL,
    region: 'eu-west-1',
    consumer: readConsumer(),
    ...options,
  };
}

/** Runs the handler on one batch and returns what became of it. */
async function consumeOnce(
  handler: SqsHandler,
  consumer = readConsumer(),
): Promise<BatchOutcome> {
  const outcome = new Promise<BatchOutcome>((resolve) => {
    startQueueConsumer(
      catalogConsumer({ consumer, handler, onBatch: resolve }),
    ).then((started) => running.push(started));
  });
  return outcome;
}

function deletedHandles(): (string | undefined)[] {
  return sqsMock
    .commandCalls(DeleteMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => entry.ReceiptHandle);
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(GetQueueAttributesCommand).resolves({
    Attributes: { QueueArn: QUEUE_ARN, VisibilityTimeout: '180' },
  });
  sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

describe('readBatchResponse', () => {
  const ids = ['a', 'b', 'c'];

  it('counts every record as handled when the handler answers nothing', () => {
    for (const answer of [undefined, null, {}, { batchItemFailures: [] }]) {
      expect(readBatchResponse(ids, answer)).toEqual({
        kind: 'partial',
        failedIds: new Set(),
      });
    }
  });

  it('fails exactly the records the handler names', () => {
    const verdict = readBatchResponse(ids, {
      batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }],
    });

    expect(verdict).toEqual({
      kind: 'partial',
      failedIds: new Set(['b', 'c']),
    });
  });

  it('fails the whole batch when a failure names a record not in it', () => {
    const verdict = readBatchResponse(ids, {
      batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'z' }],
    });

    expect(verdict.kind).toBe('failed');
  });

  it('fails the whole batch on an empty identifier or a list that is not one', () => {
    expect(
      readBatchResponse(ids, { batchItemFailures: [{ itemIdentifier: '' }] })
        .kind,
    ).toBe('failed');
    expect(readBatchResponse(ids, { batchItemFailures: 'a' }).kind).toBe(
      'failed',
    );
  });
});

describe('formatBatchOutcome', () => {
  const outcome = {
    queue: 'catalog',
    received: 3,
    failed: 0,
    visibilityTimeoutSeconds: 180,
  };

  it('tells how many messages a batch held', () => {
    expect(formatBatchOutcome(outcome)).toBe(
      'consumed  3 messages  <- catalog',
    );
  });

  it('tells how many failed, why, and when they come back', () => {
    const line = formatBatchOutcome({ ...outcome, failed: 3, error: 'boom' });

    expect(line).toBe(
      'consumed  0 of 3 messages  <- catalog  3 failed (boom), back in 180 s',
    );
  });
});

describe('createLocalContext', () => {
  it('names a function of the queue with the configured memory and time left', () => {
    const context = createLocalContext(
      'catalog',
      readConsumer({ memorySizeMb: 512, timeoutSeconds: 40 }),
      { queueArn: QUEUE_ARN, region: 'eu-west-1' },
    );

    expect(context).toMatchObject({
      functionName: 'catalog-consumer',
      memoryLimitInMB: '512',
      invokedFunctionArn:
        'arn:aws:lambda:eu-west-1:123456789012:function:catalog-consumer',
    });
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(39_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(40_000);
  });
});

describe('loadConsumerHandler', () => {
  it('returns the configured export of the entry', async () => {
    const handler = await loadConsumerHandler(
      'catalog',
      readConsumer({ entry: FIXTURE_ENTRY, handler: 'recordBatch' }),
    );

    await expect(
      handler(
        { Records: [] },
        createLocalContext('catalog', readConsumer(), {
          queueArn: QUEUE_ARN,
          region: 'eu-west-1',
        }),
      ),
    ).resolves.toEqual({ batchItemFailures: [] });
  });

  it('refuses an entry without that export, naming the key', async () => {
    const load = loadConsumerHandler(
      'catalog',
      readConsumer({ entry: FIXTURE_ENTRY, handler: 'handler' }),
    );

    await expect(load).rejects.toThrow(RelayConfigError);
    await expect(load).rejects.toThrow(
      'context.vomo.queues.catalog.consumer.handler: test/fixtures/recording-consumer.ts exports no function "handler"',
    );
  });

  it('refuses an entry that fails to load, naming the key', async () => {
    const load = loadConsumerHandler(
      'catalog',
      readConsumer({ entry: 'test/fixtures/unloadable-consumer.ts' }),
    );

    await expect(load).rejects.toThrow(
      'context.vomo.queues.catalog.consumer.entry: test/fixtures/unloadable-consumer.ts could not be loaded: Error: this module cannot be loaded',
    );
  });
});

describe('startQueueConsumer', () => {
  it('hands a batch to the handler as a Lambda SQS event and deletes it', async () => {
    serveBatch(messagesOf('m1', 'm2'));
    const handler = vi.fn<SqsHandler>(async () => undefined);

    const outcome = await consumeOnce(handler);

    const event = handler.mock.calls[0]?.[0] as SQSEvent;
    expect(event.Records.map((record) => record.messageId)).toEqual([
      'm1',
      'm2',
    ]);
    expect(event.Records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'eu-west-1',
    });
    expect(outcome).toMatchObject({ received: 2, failed: 0 });
    expect(deletedHandles()).toEqual(['receipt-m1', 'receipt-m2']);
  });

  it('asks for every attribute and at most the batch size, long-polling', async () => {
    serveBatch(messagesOf('m1'));

    await consumeOnce(async () => undefined, readConsumer({ batchSize: 3 }));

    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 3,
      WaitTimeSeconds: expect.any(Number),
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: expect.arrayContaining([
        'MessageGroupId',
        'ApproximateReceiveCount',
        'SentTimestamp',
      ]),
    });
  });

  it('never asks for more messages than one receive returns', async () => {
    serveBatch(messagesOf('m1'));

    await consumeOnce(
      async () => undefined,
      readConsumer({ batchSize: 100, maxBatchingWindowSeconds: 1 }),
    );

    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      MaxNumberOfMessages: MAX_RECEIVE_MESSAGES,
    });
  });

  it('deletes only the records the handler did not report as failed', async () => {
    serveBatch(messagesOf('m1', 'm2', 'm3'));

    const outcome = await consumeOnce(async () => ({
      batchItemFailures: [{ itemIdentifier: 'm2' }],
    }));

    expect(outcome).toMatchObject({ received: 3, failed: 1 });
    expect(deletedHandles()).toEqual(['receipt-m1', 'receipt-m3']);
  });

  it('deletes nothing when the handler throws', async () => {
    serveBatch(messagesOf('m1', 'm2'));

    const outcome = await consumeOnce(async () => {
      throw new Error('database down');
    });

    expect(outcome).toMatchObject({
      received: 2,
      failed: 2,
      error: 'Error: database down',
      visibilityTimeoutSeconds: 180,
    });
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('deletes nothing when the handler outlives its timeout', async () => {
    serveBatch(messagesOf('m1'));
    const never = new Promise<never>(() => undefined);

    const outcome = await consumeOnce(
      () => never,
      readConsumer({ timeoutSeconds: 1 }),
    );

    expect(outcome).toMatchObject({
      failed: 1,
      error: 'timed out after 1 s',
    });
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('lets a running batch finish and delete its records when stopped', async () => {
    serveBatch(messagesOf('m1'));
    let release: (answer?: unknown) => void = () => undefined;
    const handler = vi.fn<SqsHandler>(
      () =>
        new Promise((resolve) => {
          release = resolve;
        }),
    );
    const reports: BatchOutcome[] = [];
    const consumer = await startQueueConsumer(
      catalogConsumer({
        handler,
        onBatch: (outcome) => reports.push(outcome),
      }),
    );
    await vi.waitFor(() => expect(handler).toHaveBeenCalled());

    const stopped = consumer.stop();
    release();
    await stopped;

    expect(reports).toMatchObject([{ received: 1, failed: 0 }]);
    const [deletion] = sqsMock.commandCalls(DeleteMessageBatchCommand);
    expect(deletion?.args[0].input.Entries).toMatchObject([
      { ReceiptHandle: 'receipt-m1' },
    ]);
    const sendOptions = (deletion?.args as unknown[] | undefined)?.[1] as
      | { abortSignal?: AbortSignal }
      | undefined;
    expect(sendOptions?.abortSignal?.aborted ?? false).toBe(false);
  });

  it('waits before asking a failing queue server again, and says why', async () => {
    sqsMock.on(ReceiveMessageCommand).rejects(new Error('connection refused'));
    const errors: unknown[] = [];

    running.push(
      await startQueueConsumer(
        catalogConsumer({
          handler: async () => undefined,
          onError: (_queue, error) => errors.push(error),
        }),
      ),
    );
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(String(errors[0])).toContain('connection refused');
  });

  it('keeps polling when reporting a batch fails, and says so', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: messagesOf('m1') })
      .resolvesOnce({ Messages: messagesOf('m2') })
      .callsFake(
        () =>
          new Promise((resolve) =>
            setTimeout(() => resolve({}), EMPTY_RECEIVE_DELAY_MS),
          ),
      );
    const errors: unknown[] = [];
    const reports: BatchOutcome[] = [];

    running.push(
      await startQueueConsumer(
        catalogConsumer({
          handler: async () => undefined,
          onBatch: (outcome) => {
            reports.push(outcome);
            if (reports.length === 1) {
              throw new Error('terminal closed');
            }
          },
          onError: (_queue, error) => errors.push(error),
        }),
      ),
    );

    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(errors).toEqual([new Error('terminal closed')]);
    expect(deletedHandles()).toEqual(['receipt-m1', 'receipt-m2']);
  });
});
