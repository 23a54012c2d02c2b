import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  RECEIVER_METRIC,
  RECEIVER_SERVICE_NAME,
} from '../../functions/receiver/handler.js';
import { METRICS_NAMESPACE } from '../../functions/telemetry.js';
import type { RelayStack } from '../../infra/relay-stack.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import { synthesizeRelay } from './synthesize.js';

interface AlarmProperties {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
  Statistic: string;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions?: unknown[];
}

const ALARM_EMAIL = 'operations@example.org';

const plain = synthesizeRelay({
  ...SAMPLE_ROUTING,
  alarms: { unauthorizedPerFiveMinutes: 25, oldestMessageAgeMinutes: 30 },
});
const mailed = synthesizeRelay({ ...SAMPLE_ROUTING, alarmEmail: ALARM_EMAIL });
const consumed = synthesizeRelay({
  ...SAMPLE_ROUTING,
  alarmEmail: ALARM_EMAIL,
  queues: {
    ...SAMPLE_ROUTING.queues,
    volunteering: { ...SAMPLE_ROUTING.queues.volunteering, consumer: {} },
    catalog: { ...SAMPLE_ROUTING.queues.catalog, consumer: {} },
  },
});

function listAlarms(template: Template): AlarmProperties[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as AlarmProperties,
  );
}

function findAlarms(
  template: Template,
  namespace: string,
  metricName: string,
): AlarmProperties[] {
  return listAlarms(template).filter(
    (alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName,
  );
}

function dimensionsOf(alarm: AlarmProperties | undefined): unknown {
  return alarm?.Dimensions;
}

function queueNameOf(stack: RelayStack, element: CfnElement): unknown {
  return { 'Fn::GetAtt': [stack.getLogicalId(element), 'QueueName'] };
}

describe('RelayAlarms', () => {
  const { stack, template } = plain;

  it('alarms on any message in each dead-letter queue', () => {
    const alarms = findAlarms(
      template,
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
    );

    expect(alarms.map(dimensionsOf)).toEqual(
      stack.queues.map(({ deadLetterQueue }) => [
        {
          Name: 'QueueName',
          Value: queueNameOf(
            stack,
            deadLetterQueue.node.defaultChild as CfnElement,
          ),
        },
      ]),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('alarms when a queue holds a message older than the configured age', () => {
    const alarms = findAlarms(
      template,
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
    );

    expect(alarms.map(dimensionsOf)).toEqual(
      stack.queues.map(({ queue }) => [
        {
          Name: 'QueueName',
          Value: queueNameOf(stack, queue.node.defaultChild as CfnElement),
        },
      ]),
    );
    expect(alarms.every((alarm) => alarm.Threshold === 30 * 60)).toBe(true);
  });

  it('alarms on any 5xx answer of the webhook stage', () => {
    const [alarm, ...others] = findAlarms(template, 'AWS/ApiGateway', '5xx');

    expect(others).toEqual([]);
    expect(alarm?.Dimensions).toEqual([
      { Name: 'ApiId', Value: stack.resolve(stack.webhook.api.apiId) },
      { Name: 'Stage', Value: '$default' },
    ]);
    expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
  });

  it('alarms on receiver errors and throttles', () => {
    const functionName = stack.resolve(stack.receiver.function.functionName);

    for (const metricName of ['Errors', 'Throttles']) {
      const [alarm, ...others] = findAlarms(template, 'AWS/Lambda', metricName);

      expect(others).toEqual([]);
      expect(alarm?.Dimensions).toEqual([
        { Name: 'FunctionName', Value: functionName },
      ]);
      expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
    }
  });

  it('alarms on a burst of Unauthorized from the receiver metrics', () => {
    const [alarm, ...others] = findAlarms(
      template,
      METRICS_NAMESPACE,
      RECEIVER_METRIC.unauthorized,
    );

    expect(others).toEqual([]);
    expect(alarm?.Dimensions).toEqual([
      { Name: 'service', Value: RECEIVER_SERVICE_NAME },
    ]);
    expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 25 });
  });

  it('alarms when the receiver serves a stale copy of the keys', () => {
    const [alarm, ...others] = findAlarms(
      template,
      METRICS_NAMESPACE,
      RECEIVER_METRIC.keyStoreStale,
    );

    expect(others).toEqual([]);
    expect(alarm?.Dimensions).toEqual([
      { Name: 'service', Value: RECEIVER_SERVICE_NAME },
    ]);
    expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
  });

  it('alarms on any Unrouted event from the receiver metrics', () => {
    const [alarm, ...others] = findAlarms(
      template,
      METRICS_NAMESPACE,
      RECEIVER_METRIC.unrouted,
    );

    expect(others).toEqual([]);
    expect(alarm?.Dimensions).toEqual([
      { Name: 'service', Value: RECEIVER_SERVICE_NAME },
    ]);
    expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
  });

  it('treats missing data as not breaching on every alarm', () => {
    const alarms = listAlarms(template);

    expect(alarms).toHaveLength(2 * stack.queues.length + 6);
    for (const alarm of alarms) {
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    }
  });

  it('names every alarm after its stack, as the README lists them', () => {
    const names = listAlarms(template).map((alarm) => alarm.AlarmName);

    expect(names).toContain(`${stack.stackName}-ServerErrors`);
    expect(names).toContain(`${stack.stackName}-Unrouted`);
    expect(names).toContain(`${stack.stackName}-volunteeringDeadLetters`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('creates no topic and no actions without an alarm email', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(listAlarms(template).every((alarm) => !alarm.AlarmActions)).toBe(
      true,
    );
  });

  it('mails every alarm through an encrypted, TLS-only topic', () => {
    const topic = mailed.stack.alarms.topic;
    if (topic === undefined) {
      throw new Error('expected an alarm topic');
    }
    const topicRef = mailed.stack.resolve(topic.topicArn);
    const keyArn = topic.masterKey?.keyArn;

    expect(keyArn).toBeDefined();
    for (const alarm of listAlarms(mailed.template)) {
      expect(alarm.AlarmActions).toEqual([topicRef]);
    }
    mailed.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ALARM_EMAIL,
      TopicArn: topicRef,
    });
    mailed.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: mailed.stack.resolve(keyArn),
    });
    expect(
      JSON.stringify(mailed.template.findResources('AWS::SNS::TopicPolicy')),
    ).toContain('"aws:SecureTransport":"false"');
  });

  it('lets CloudWatch use the topic key, which the AWS-managed key forbids', () => {
    mailed.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it("alarms on each consumer's errors and throttles, by its function name", () => {
    const { stack: relay, template: synthesized } = consumed;
    const receiver = relay.resolve(relay.receiver.function.functionName);
    const expected = [
      receiver,
      ...relay.consumers.map(({ relayFunction }) =>
        relay.resolve(relayFunction.function.functionName),
      ),
    ];

    for (const metricName of ['Errors', 'Throttles']) {
      const alarms = findAlarms(synthesized, 'AWS/Lambda', metricName);

      expect(alarms.map(dimensionsOf)).toEqual(
        expected.map((name) => [{ Name: 'FunctionName', Value: name }]),
      );
      for (const alarm of alarms) {
        expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
      }
    }
    expect(relay.consumers.map((consumer) => consumer.key)).toEqual([
      'volunteering',
      'catalog',
    ]);
  });

  it('mails the consumer alarms like the others', () => {
    const { stack: relay, template: synthesized } = consumed;
    const topicArn = relay.alarms.topic?.topicArn;

    const alarms = listAlarms(synthesized);

    expect(topicArn).toBeDefined();
    expect(alarms).toHaveLength(2 * relay.queues.length + 6 + 2 * 2);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([relay.resolve(topicArn)]);
    }
  });
});
