import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  RECEIVER_METRIC,
  RECEIVER_SERVICE_NAME,
} from '../functions/receiver/handler.js';
import { METRICS_NAMESPACE } from '../functions/telemetry.js';
import type { RelayConfig } from './config.js';
import type { QueueConsumer } from './queue-consumer.js';
import type { RelayQueue } from './relay-queue.js';

const PERIOD = Duration.minutes(5);

export interface RelayAlarmsProps {
  readonly receiver: lambda.IFunction;
  readonly stage: apigw.IHttpStage;
  readonly queues: readonly RelayQueue[];
  readonly consumers?: readonly QueueConsumer[];
  readonly thresholds: RelayConfig['alarms'];
  readonly email?: string | undefined;
}

/**
 * Alarms on what needs a person: failed or stuck events, an unhealthy
 * receiver, and signs of misconfiguration or probing. Each one mails the
 * optional address.
 */
export class RelayAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic | undefined;

  constructor(scope: Construct, id: string, props: RelayAlarmsProps) {
    super(scope, id);

    this.addQueueAlarms(props.queues, props.thresholds);
    this.addReceiverAlarms(props);
    this.addConsumerAlarms(props.consumers ?? []);

    if (props.email !== undefined) {
      this.topic = this.createTopic(props.email);
      const action = new SnsAction(this.topic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
      }
    }
  }

  private addQueueAlarms(
    queues: readonly RelayQueue[],
    thresholds: RelayConfig['alarms'],
  ): void {
    for (const { key, queue, deadLetterQueue } of queues) {
      this.addAlarm(`${key}DeadLetters`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: PERIOD,
        }),
        threshold: 0,
        description:
          `Events of queue "${key}" failed processing and wait in its ` +
          `dead-letter queue; fix the consumer, then redrive.`,
      });

      this.addAlarm(`${key}OldestMessage`, {
        metric: queue.metricApproximateAgeOfOldestMessage({
          statistic: 'Maximum',
          period: PERIOD,
        }),
        threshold: thresholds.oldestMessageAgeMinutes * 60,
        description:
          `Queue "${key}" holds an event older than ` +
          `${thresholds.oldestMessageAgeMinutes} minutes; its consumer is ` +
          `slow or stopped.`,
      });
    }
  }

  private addReceiverAlarms(props: RelayAlarmsProps): void {
    this.addAlarm('ServerErrors', {
      metric: props.stage.metricServerError({ period: PERIOD }),
      threshold: 0,
      description:
        'The webhook answered VOMO with a 5xx: a key store or queue failed, and VOMO retries.',
    });

    this.addAlarm('ReceiverErrors', {
      metric: props.receiver.metricErrors({ period: PERIOD }),
      threshold: 0,
      description: 'The receiver function crashed or timed out.',
    });

    this.addAlarm('ReceiverThrottles', {
      metric: props.receiver.metricThrottles({ period: PERIOD }),
      threshold: 0,
      description:
        'The receiver was throttled: raise its reserved concurrency or the account limit.',
    });

    this.addAlarm('Unauthorized', {
      metric: receiverMetric(RECEIVER_METRIC.unauthorized),
      threshold: props.thresholds.unauthorizedPerFiveMinutes,
      description:
        `More than ${props.thresholds.unauthorizedPerFiveMinutes} ` +
        `requests in 5 minutes failed the signature check: a key is ` +
        `wrong or missing, or someone is probing the URL.`,
    });

    this.addAlarm('KeyStoreStale', {
      metric: receiverMetric(RECEIVER_METRIC.keyStoreStale),
      threshold: 0,
      description:
        'The signing-keys secret could not be read again; the receiver uses ' +
        'its last copy, so keys set since then are not seen.',
    });

    this.addAlarm('Unrouted', {
      metric: receiverMetric(RECEIVER_METRIC.unrouted),
      threshold: 0,
      description:
        'A verified event matched no route; add a route for its type and organization.',
    });
  }

  private addConsumerAlarms(consumers: readonly QueueConsumer[]): void {
    for (const { key, relayFunction } of consumers) {
      const consumer = relayFunction.function;

      this.addAlarm(`${key}ConsumerErrors`, {
        metric: consumer.metricErrors({ period: PERIOD }),
        threshold: 0,
        description:
          `The consumer of queue "${key}" threw, crashed or timed out; its ` +
          `batch goes back to the queue, and after repeated failures to ` +
          `the dead-letter queue.`,
      });

      this.addAlarm(`${key}ConsumerThrottles`, {
        metric: consumer.metricThrottles({ period: PERIOD }),
        threshold: 0,
        description:
          `The consumer of queue "${key}" was throttled: events wait ` +
          `longer; raise the account's concurrency limit or lower other ` +
          `functions' use of it.`,
      });
    }
  }

  private addAlarm(
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      threshold: number;
      description: string;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      // Named for the console and the e-mails: the README lists these names.
      alarmName: `${Stack.of(this).stackName}-${id}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    this.alarms.push(alarm);
  }

  private createTopic(email: string): sns.Topic {
    // CloudWatch cannot use the AWS-managed SNS key, so the topic gets a key
    // whose policy lets CloudWatch encrypt the alarm notifications.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the VOMO relay alarm notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );

    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'VOMO relay alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }
}

function receiverMetric(metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: RECEIVER_SERVICE_NAME },
    statistic: 'Sum',
    period: PERIOD,
  });
}
