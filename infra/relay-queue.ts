import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type QueueConfig, visibilityTimeoutOf } from './config.js';

/**
 * The largest message SQS takes; the receiver's body limit is sized for it,
 * so a smaller queue limit would turn valid events into failed sends.
 */
export const MAX_MESSAGE_BYTES = 1_048_576;

/** One configured queue and the dead-letter queue its failures move to. */
export class RelayQueue extends Construct {
  readonly key: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, key: string, config: QueueConfig) {
    super(scope, key);
    this.key = key;

    const common = {
      fifo: config.fifo ? true : undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      retentionPeriod: Duration.days(config.retentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    };

    // A FIFO queue can only dead-letter into a FIFO queue. The DLQ keeps its
    // messages the longest SQS allows, so a failure waits to be looked at.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      ...common,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: Duration.seconds(visibilityTimeoutOf(config)),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: config.maxReceiveCount,
      },
    });
  }
}
