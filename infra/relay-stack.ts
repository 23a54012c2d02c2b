import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  RECEIVER_ENV,
  ROUTING_FILE_NAME,
} from '../functions/receiver/environment.js';
import { RECEIVER_SERVICE_NAME } from '../functions/receiver/handler.js';
import type { RoutingTable } from '../functions/receiver/routes.js';
import type { RelayConfig } from './config.js';
import { QueueConsumer } from './queue-consumer.js';
import { RelayAlarms } from './relay-alarms.js';
import { RelayFunction } from './relay-function.js';
import { RelayQueue } from './relay-queue.js';
import { STACK_OUTPUT } from './stack-outputs.js';
import { WebhookApi } from './webhook-api.js';

/**
 * The receiver's deadlines (aws-clients.ts) bound a request at about 2.2 s at
 * worst: one key read of 0.7 s and one round of sends of 1.5 s. Five seconds
 * leave room for a cold start on top, so the receiver always answers with its
 * own 503 and metrics rather than being cut off, and still stop a stuck
 * invocation soon after VOMO has given up.
 */
export const RECEIVER_TIMEOUT = Duration.seconds(5);

export interface RelayStackProps extends StackProps {
  readonly config: RelayConfig;
}

/** API Gateway, the receiver, its signing-keys secret, queues and alarms. */
export class RelayStack extends Stack {
  readonly queues: readonly RelayQueue[];
  /** One per queue whose config has a `consumer`. */
  readonly consumers: readonly QueueConsumer[];
  readonly signingKeys: secretsmanager.Secret;
  readonly receiver: RelayFunction;
  readonly webhook: WebhookApi;
  readonly alarms: RelayAlarms;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.queues = Object.entries(config.queues).map(
      ([key, queue]) => new RelayQueue(this, key, queue),
    );
    this.consumers = this.createConsumers(config, logRetention);
    this.signingKeys = this.createSigningKeys();
    this.receiver = this.createReceiver(config, logRetention);

    this.signingKeys.grantRead(this.receiver.function);
    for (const { queue } of this.queues) {
      queue.grantSendMessages(this.receiver.function);
    }

    this.webhook = new WebhookApi(this, 'Webhook', {
      receiver: this.receiver.function,
      rateLimit: config.api.rateLimit,
      burstLimit: config.api.burstLimit,
      logRetention,
    });

    this.alarms = new RelayAlarms(this, 'Alarms', {
      receiver: this.receiver.function,
      stage: this.webhook.stage,
      queues: this.queues,
      consumers: this.consumers,
      thresholds: config.alarms,
      email: config.alarmEmail,
    });

    this.addOutputs();
    this.acknowledgeFindings();
  }

  private createConsumers(
    config: RelayConfig,
    logRetention: logs.RetentionDays,
  ): QueueConsumer[] {
    // A construct of their own keeps a consumer's id apart from the queues'.
    const parent = new Construct(this, 'Consumers');

    return this.queues.flatMap((queue) => {
      const consumer = config.queues[queue.key]?.consumer;
      return consumer === undefined
        ? []
        : [
            new QueueConsumer(parent, queue.key, {
              queue,
              config: consumer,
              logRetention,
            }),
          ];
    });
  }

  private createSigningKeys(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'SigningKeys', {
      description:
        'VOMO signing keys: {"<organization id>": "<key>" or ["<newest>", "<older>"]}',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Left alone, CDK fills the secret with a random password. The keys come
    // from VOMO, so the secret starts empty and `npm run keys` fills it.
    const resource = secret.node.defaultChild as secretsmanager.CfnSecret;
    resource.addPropertyDeletionOverride('GenerateSecretString');
    return secret;
  }

  private createReceiver(
    config: RelayConfig,
    logRetention: logs.RetentionDays,
  ): RelayFunction {
    const queueUrls = Object.fromEntries(
      this.queues.map(({ key, queue }) => [key, queue.queueUrl]),
    );
    const routing: RoutingTable = {
      organizations: config.organizations,
      unrouted: config.unrouted,
    };
    const { maxBodyBytes, reservedConcurrency } = config.receiver;

    return new RelayFunction(this, 'Receiver', {
      entry: 'functions/receiver/index.ts',
      description: 'Verifies VOMO webhooks and forwards them to SQS',
      // The default 512 MB is for CPU, not memory: Lambda scales CPU with
      // memory, and a cold start that loads the bundled SDK is CPU-bound.
      memorySizeMb: config.receiver.memorySizeMb,
      timeout: RECEIVER_TIMEOUT,
      logRetention,
      reservedConcurrency,
      environment: {
        [RECEIVER_ENV.secretId]: this.signingKeys.secretArn,
        [RECEIVER_ENV.queueUrls]: this.toJsonString(queueUrls),
        [RECEIVER_ENV.keyCacheSeconds]: String(config.receiver.keyCacheSeconds),
        ...(maxBodyBytes === undefined
          ? {}
          : { [RECEIVER_ENV.maxBodyBytes]: String(maxBodyBytes) }),
        POWERTOOLS_SERVICE_NAME: RECEIVER_SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: config.receiver.logLevel,
      },
      // Environment variables hold 4 KB in all; the routing table of a
      // thousand organizations does not fit, so it travels in the bundle.
      bundledFiles: { [ROUTING_FILE_NAME]: JSON.stringify(routing) },
    });
  }

  private addOutputs(): void {
    new CfnOutput(this, STACK_OUTPUT.webhookUrl, {
      description: "Paste into VOMO's webhook settings",
      value: this.webhook.webhookUrl,
    });
    new CfnOutput(this, STACK_OUTPUT.signingKeysSecretArn, {
      description: 'Set keys with: npm run keys -- set <organization id>',
      value: this.signingKeys.secretArn,
    });

    for (const { key, queue, deadLetterQueue } of this.queues) {
      const name = toPascalCase(key);
      new CfnOutput(this, `${name}QueueUrl`, {
        description: `URL of queue "${key}"`,
        value: queue.queueUrl,
      });
      new CfnOutput(this, `${name}QueueArn`, {
        description: `ARN of queue "${key}"`,
        value: queue.queueArn,
      });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        description: `URL of the dead-letter queue of "${key}"`,
        value: deadLetterQueue.queueUrl,
      });
      new CfnOutput(this, `${name}DeadLetterQueueArn`, {
        description: `ARN of the dead-letter queue of "${key}", for a redrive`,
        value: deadLetterQueue.queueArn,
      });
    }

    for (const { key, relayFunction } of this.consumers) {
      new CfnOutput(this, `${toPascalCase(key)}ConsumerFunctionName`, {
        description: `Name of the function consuming queue "${key}"`,
        value: relayFunction.function.functionName,
      });
    }
  }

  private acknowledgeFindings(): void {
    Validations.of(this.webhook.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'VOMO cannot present IAM, JWT or Cognito credentials; the ' +
        'receiver authenticates every request by its HMAC signature over ' +
        'the body and answers 401 otherwise.',
    });

    Validations.of(this.signingKeys).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The keys are issued by VOMO, not generated by AWS, so no ' +
        'rotation function can make one; they are rotated with `npm run ' +
        'keys -- set --rotate`, which keeps the old key valid until it ' +
        'is retired.',
    });
  }
}

function toPascalCase(key: string): string {
  return key
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
