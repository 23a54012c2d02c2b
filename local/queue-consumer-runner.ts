import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  GetQueueAttributesCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import {
  type ConsumerConfig,
  RelayConfigError,
  resolveProjectPath,
} from '../infra/config.js';
import {
  buildSqsEvent,
  RECORD_SYSTEM_ATTRIBUTES,
  type RecordSource,
} from './lambda-sqs-event.js';

/** How long one receive waits for messages; a stop cuts it short. */
export const POLL_WAIT_SECONDS = 5;

/** The most messages one ReceiveMessage returns. */
export const MAX_RECEIVE_MESSAGES = 10;

const RECEIVE_RETRY_DELAY_MS = 1_000;

/** A Lambda handler for an SQS trigger, as the entry module exports it. */
export type SqsHandler = (event: SQSEvent, context: Context) => unknown;

/** What became of one batch, for a line in the terminal. */
export interface BatchOutcome {
  readonly queue: string;
  readonly received: number;
  readonly failed: number;
  /** Why the whole batch failed, when it did. */
  readonly error?: string;
  /** Seconds until the failed messages are received again. */
  readonly visibilityTimeoutSeconds: number;
}

/** What a handler's answer means for the batch, as Lambda reads it. */
export type BatchVerdict =
  | { readonly kind: 'partial'; readonly failedIds: ReadonlySet<string> }
  | { readonly kind: 'failed'; readonly reason: string };

/** One queue and the handler that consumes it. */
export interface QueueConsumerOptions {
  readonly sqs: SQSClient;
  /** The configured queue key, for reports. */
  readonly queue: string;
  readonly queueUrl: string;
  readonly region: string;
  readonly consumer: ConsumerConfig;
  readonly handler: SqsHandler;
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Told when a receive, a delete or a report fails; polling goes on. */
  readonly onError?: (queue: string, error: unknown) => void;
}

/** A consumer polling its queue until stopped. */
export interface RunningConsumer {
  readonly queue: string;
  stop(): Promise<void>;
}

interface QueueFacts extends RecordSource {
  readonly visibilityTimeoutSeconds: number;
}

/**
 * Imports a consumer's entry and returns its handler export. Each queue gets
 * a module instance of its own, as each function gets a sandbox in Lambda,
 * so state such as the example's duplicate filter is never shared.
 */
export async function loadConsumerHandler(
  queue: string,
  consumer: ConsumerConfig,
): Promise<SqsHandler> {
  const key = `context.vomo.queues.${queue}.consumer`;
  const url = pathToFileURL(resolveProjectPath(consumer.entry));
  url.searchParams.set('queue', queue);

  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (error) {
    throw new RelayConfigError(
      `${key}.entry: ${consumer.entry} could not be loaded: ${describeError(error)}`,
    );
  }

  const handler = module[consumer.handler];
  if (typeof handler !== 'function') {
    throw new RelayConfigError(
      `${key}.handler: ${consumer.entry} exports no function "${consumer.handler}"`,
    );
  }
  return handler as SqsHandler;
}

/**
 * Polls one queue the way Lambda's SQS trigger does: long-polls a batch,
 * hands it to the handler as an SQS event, then deletes the records that did
 * not fail. A handler that throws or times out fails the whole batch, which
 * comes back once its visibility timeout runs out.
 */
export async function startQueueConsumer(
  options: QueueConsumerOptions,
): Promise<RunningConsumer> {
  const facts = await readQueueFacts(options);
  let outcome: BatchOutcome | undefined;
  let finishBatch: (() => void) | undefined;
  let batchFinished = Promise.resolve();
  const stopping = new AbortController();
  let receiveFailed = false;

  const consumer = Consumer.create({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    batchSize: Math.min(options.consumer.batchSize, MAX_RECEIVE_MESSAGES),
    waitTimeSeconds: POLL_WAIT_SECONDS,
    messageAttributeNames: ['All'],
    messageSystemAttributeNames: [...RECORD_SYSTEM_ATTRIBUTES],
    suppressFifoWarning: true,
    // A failing server is asked again after a pause, not in a tight loop;
    // a stop ends the pause and the receive is not sent.
    preReceiveMessageCallback: async () => {
      if (receiveFailed) {
        receiveFailed = false;
        await sleep(RECEIVE_RETRY_DELAY_MS, undefined, {
          signal: stopping.signal,
        });
      }
    },
    handleMessageBatch: async (messages) => {
      outcome = undefined;
      batchFinished = new Promise((resolve) => {
        finishBatch = resolve;
      });
      const failedIds = await consume(messages);
      return messages.filter(
        ({ MessageId }) => !failedIds.has(MessageId ?? ''),
      );
    },
  });

  async function consume(messages: Message[]): Promise<ReadonlySet<string>> {
    const event = buildSqsEvent(messages, facts);
    const verdict = await invokeHandler(options, event, facts);
    const failedIds =
      verdict.kind === 'partial'
        ? verdict.failedIds
        : new Set(messages.map((message) => message.MessageId ?? ''));

    outcome = {
      queue: options.queue,
      received: messages.length,
      failed: failedIds.size,
      visibilityTimeoutSeconds: facts.visibilityTimeoutSeconds,
      ...(verdict.kind === 'failed' && { error: verdict.reason }),
    };
    return failedIds;
  }

  // Reported only after the library has deleted what did not fail, so a
  // line in the terminal never runs ahead of the queue.
  consumer.on('response_processed', () => {
    try {
      if (outcome !== undefined) {
        options.onBatch?.(outcome);
      }
    } catch (error) {
      options.onError?.(options.queue, error);
    }
    finishBatch?.();
    finishBatch = undefined;
  });

  consumer.on('error', (error, messages) => {
    const receiving = messages === undefined;
    if (stopping.signal.aborted && receiving) {
      return;
    }

    receiveFailed = receiving;
    options.onError?.(options.queue, error);
  });

  consumer.start();
  return {
    queue: options.queue,
    stop: async () => {
      stopping.abort();
      // Aborting would also cancel a running batch's deletes, so only a
      // waiting receive is cut short; a batch is left to finish.
      consumer.stop({ abort: finishBatch === undefined });
      await batchFinished;
    },
  };
}

/**
 * Reads a handler's answer as Lambda does with `ReportBatchItemFailures`: no
 * answer or no list means every record succeeded; a list names the failed
 * ones; a list naming a record not in the batch fails the whole batch.
 */
export function readBatchResponse(
  messageIds: readonly string[],
  response: unknown,
): BatchVerdict {
  const failures = isObject(response) ? response.batchItemFailures : undefined;
  if (failures === undefined || failures === null) {
    return { kind: 'partial', failedIds: new Set() };
  }
  if (!Array.isArray(failures)) {
    return { kind: 'failed', reason: 'batchItemFailures is not a list' };
  }

  const batch = new Set(messageIds);
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || !batch.has(id)) {
      return {
        kind: 'failed',
        reason: 'batchItemFailures names a record not in the batch',
      };
    }
    failedIds.add(id);
  }

  return { kind: 'partial', failedIds };
}

/** One terminal line for a batch: how many were handled, how many failed. */
export function formatBatchOutcome(outcome: BatchOutcome): string {
  const { received, failed } = outcome;
  const count =
    failed === 0 ? String(received) : `${received - failed} of ${received}`;
  const line = [
    'consumed',
    `${count} message${received === 1 ? '' : 's'}`,
    `<- ${outcome.queue}`,
  ];

  if (failed > 0) {
    const reason = outcome.error === undefined ? '' : ` (${outcome.error})`;
    line.push(
      `${failed} failed${reason}, back in ${outcome.visibilityTimeoutSeconds} s`,
    );
  }
  return line.join('  ');
}

/** The Lambda context a local invocation gets, with the configured limits. */
export function createLocalContext(
  queue: string,
  consumer: ConsumerConfig,
  source: RecordSource,
): Context {
  const functionName = `${queue}-consumer`;
  const account = source.queueArn.split(':')[4] ?? '000000000000';
  const deadline = Date.now() + consumer.timeoutSeconds * 1000;

  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${source.region}:${account}:function:${functionName}`,
    memoryLimitInMB: String(consumer.memorySizeMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invokeHandler(
  options: QueueConsumerOptions,
  event: SQSEvent,
  source: RecordSource,
): Promise<BatchVerdict> {
  const { consumer } = options;
  const context = createLocalContext(options.queue, consumer, source);
  const ids = event.Records.map((record) => record.messageId);

  const handled = (async (): Promise<BatchVerdict> => {
    try {
      return readBatchResponse(ids, await options.handler(event, context));
    } catch (error) {
      return { kind: 'failed', reason: describeError(error) };
    }
  })();

  // Lambda stops a function at its timeout and the batch fails; locally the
  // handler cannot be stopped, but its batch fails the same way.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<BatchVerdict>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          kind: 'failed',
          reason: `timed out after ${consumer.timeoutSeconds} s`,
        }),
      consumer.timeoutSeconds * 1000,
    );
  });

  try {
    return await Promise.race([handled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function readQueueFacts(
  options: QueueConsumerOptions,
): Promise<QueueFacts> {
  const { Attributes = {} } = await options.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: options.queueUrl,
      AttributeNames: ['QueueArn', 'VisibilityTimeout'],
    }),
  );

  return {
    queueArn: Attributes.QueueArn ?? '',
    region: options.region,
    visibilityTimeoutSeconds: Number(Attributes.VisibilityTimeout ?? 30),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
