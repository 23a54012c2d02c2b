import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ConsumerConfig } from './config.js';
import { RelayFunction } from './relay-function.js';
import type { RelayQueue } from './relay-queue.js';

export interface QueueConsumerProps {
  readonly queue: RelayQueue;
  readonly config: ConsumerConfig;
  readonly logRetention: logs.RetentionDays;
}

/**
 * A function that Lambda feeds with batches from one queue. It reports
 * failures per record, so only the records it could not handle go back to
 * the queue, and its role may consume that queue and write its own logs.
 */
export class QueueConsumer extends Construct {
  readonly key: string;
  readonly relayFunction: RelayFunction;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    const { queue, config } = props;
    this.key = queue.key;

    this.relayFunction = new RelayFunction(this, 'Consumer', {
      entry: config.entry,
      handler: config.handler,
      description: `Consumes VOMO events from queue "${queue.key}"`,
      memorySizeMb: config.memorySizeMb,
      timeout: Duration.seconds(config.timeoutSeconds),
      logRetention: props.logRetention,
    });

    // The event source grants the role receive, delete and change-visibility
    // on this queue alone; nothing else is granted.
    this.relayFunction.function.addEventSource(
      new SqsEventSource(queue.queue, {
        batchSize: config.batchSize,
        maxBatchingWindow:
          config.maxBatchingWindowSeconds > 0
            ? Duration.seconds(config.maxBatchingWindowSeconds)
            : undefined,
        maxConcurrency: config.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
