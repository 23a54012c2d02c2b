import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import {
  type KnownEventType,
  type KnownVomoEvent,
  type RecordErrorCode,
  type RecordMetadata,
  readVomoRecord,
  type VomoEvent,
} from '../../events/index.js';
import { createLogger, createMetrics } from '../telemetry.js';
import {
  createDuplicateFilter,
  type DuplicateFilterOptions,
} from './duplicate-filter.js';

/** What a handler is told besides the event itself. */
export interface HandlerContext {
  readonly metadata: RecordMetadata;
  /** Data paths that do not fit the event's known type; usually empty. */
  readonly drift: readonly string[];
  /** Logs with the message id and event type already attached. */
  readonly logger: Logger;
}

/** Handles one event; throwing sends the record back to its queue. */
export type EventHandler<Event extends VomoEvent = VomoEvent> = (
  event: Event,
  context: HandlerContext,
) => Promise<void> | void;

/** The known event of exactly one type: `data` typed for its object. */
export type EventOfType<Type extends KnownEventType> = NarrowTo<
  KnownVomoEvent,
  Type
>;

type NarrowTo<Event, Type> = Event extends { type: infer Types }
  ? Type extends Types
    ? Event & { type: Type }
    : never
  : never;

/**
 * One handler per event type of interest. `default` takes every other event,
 * unknown types included; without it they are logged and acknowledged.
 */
export type EventHandlers = {
  readonly [Type in KnownEventType]?: EventHandler<EventOfType<Type>>;
} & { readonly default?: EventHandler };

/** Everything has a default; tests pass their own logger, metrics or clock. */
export interface ConsumerOptions {
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly duplicates?: DuplicateFilterOptions;
}

/** A Lambda handler for SQS with `ReportBatchItemFailures` turned on. */
export type ConsumerHandler = (
  event: SQSEvent,
  context?: Context,
) => Promise<SQSBatchResponse>;

/** Metric names the consumer publishes. */
export const CONSUMER_METRIC = {
  handled: 'EventHandled',
  duplicate: 'DuplicateSkipped',
  unreadable: 'RecordUnreadable',
  failed: 'HandlerFailed',
  schemaDrift: 'SchemaDrift',
} as const;

const DRIFT_PATHS_LOGGED = 20;

/** A record that can never be read; it fails so the queue's DLQ keeps it. */
export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError';

  constructor(readonly code: RecordErrorCode) {
    super(`record unreadable: ${code}`);
  }
}

/**
 * Builds an SQS handler that passes each record's VOMO event to its handler.
 * Only failed records go back to the queue. A standard queue's records run
 * side by side; a FIFO queue's run one by one, and a failure holds back the
 * rest of its message group only. A body handled recently here is skipped.
 */
export function createConsumer(
  handlers: EventHandlers,
  options: ConsumerOptions = {},
): ConsumerHandler {
  const logger = options.logger ?? createLogger('vomo-consumer');
  const metrics = options.metrics ?? createMetrics('vomo-consumer');
  const duplicates = createDuplicateFilter(options.duplicates);

  async function processRecord(record: SQSRecord): Promise<void> {
    const read = readVomoRecord(record);

    if (!read.success) {
      count(CONSUMER_METRIC.unreadable);
      logger.error('record unreadable', {
        messageId: record.messageId,
        code: read.error.code,
        reason: read.error.message,
      });
      throw new UnreadableRecordError(read.error.code);
    }

    const { event, metadata, drift } = read;
    const context: HandlerContext = {
      metadata,
      drift,
      logger: logger.createChild({
        persistentKeys: {
          messageId: metadata.messageId,
          eventType: metadata.type,
          organizationId: metadata.organizationId,
        },
      }),
    };

    reportDrift(context);

    const outcome = await duplicates.runOnce(metadata.bodySha256, () =>
      dispatch(event, context),
    );

    if (outcome === 'duplicate') {
      context.logger.info('duplicate event skipped', {
        bodySha256: metadata.bodySha256,
      });
    }
    count(
      outcome === 'handled'
        ? CONSUMER_METRIC.handled
        : CONSUMER_METRIC.duplicate,
    );
  }

  async function dispatch(
    event: VomoEvent,
    context: HandlerContext,
  ): Promise<void> {
    const handler = chooseHandler(handlers, event);

    try {
      await handler(event, context);
    } catch (error) {
      count(CONSUMER_METRIC.failed);
      context.logger.error('event handler failed', { error });
      throw error;
    }
  }

  function reportDrift({ drift, logger: eventLogger }: HandlerContext): void {
    if (drift.length === 0) {
      return;
    }

    count(CONSUMER_METRIC.schemaDrift);
    eventLogger.warn('event data differs from its known shape', {
      paths: drift.slice(0, DRIFT_PATHS_LOGGED),
    });
  }

  function count(metric: string): void {
    metrics.addMetric(metric, MetricUnit.Count, 1);
  }

  return async (event, context) => {
    if (context !== undefined) {
      logger.addContext(context);
    }

    try {
      return await processBatch(event, processRecord, context);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * Records of a FIFO queue carry a message group id; a Lambda trigger reads
 * from one queue, so one record tells the kind of the whole batch.
 */
export function isFifoBatch(records: readonly SQSRecord[]): boolean {
  return records.some((record) => record.attributes?.MessageGroupId);
}

function processBatch(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  context: Context | undefined,
): Promise<SQSBatchResponse> {
  // A processor keeps the batch's state, so each batch gets its own and
  // batches that overlap (local mode, tests) cannot see each other's.
  if (isFifoBatch(event.Records)) {
    return processPartialResponse(
      event,
      processRecord,
      new SqsFifoPartialProcessorAsync(),
      { context, skipGroupOnError: true },
    );
  }

  return processPartialResponse(
    event,
    processRecord,
    new BatchProcessor(EventType.SQS),
    { context },
  );
}

function chooseHandler(
  handlers: EventHandlers,
  event: VomoEvent,
): EventHandler {
  // The map's type pairs each key with its event's type; indexing by a
  // union of keys loses that pairing, though `event.type` restores it.
  const handler = event.known
    ? (handlers[event.type] as EventHandler | undefined)
    : undefined;

  return handler ?? handlers.default ?? acknowledgeUnhandled;
}

function acknowledgeUnhandled(event: VomoEvent, context: HandlerContext) {
  context.logger.info('event has no handler', { known: event.known });
}
