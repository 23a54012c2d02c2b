import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { RELAY_RUNTIME } from '../../infra/relay-function.js';
import type { RelayStack } from '../../infra/relay-stack.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import { synthesizeRelay } from './synthesize.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const FIXTURE_ENTRY = 'test/fixtures/recording-consumer.ts';

/**
 * The shipped routing with the example consumer on the FIFO queue and a
 * tuned test consumer on the standard one.
 */
const CONSUMER_CONFIG = {
  ...SAMPLE_ROUTING,
  queues: {
    volunteering: { ...SAMPLE_ROUTING.queues.volunteering, consumer: {} },
    catalog: {
      ...SAMPLE_ROUTING.queues.catalog,
      visibilityTimeoutSeconds: 900,
      consumer: {
        entry: FIXTURE_ENTRY,
        handler: 'recordBatch',
        batchSize: 50,
        maxBatchingWindowSeconds: 5,
        maxConcurrency: 4,
        timeoutSeconds: 120,
        memorySizeMb: 512,
      },
    },
    unrouted: {},
  },
};

const { stack, template } = synthesizeRelay(CONSUMER_CONFIG);

function findConsumer(key: string) {
  const consumer = stack.consumers.find((entry) => entry.key === key);
  if (consumer === undefined) {
    throw new Error(`the stack has no consumer of "${key}"`);
  }
  return consumer.relayFunction;
}

function findQueue(relay: RelayStack, key: string) {
  const queue = relay.queues.find((entry) => entry.key === key);
  if (queue === undefined) {
    throw new Error(`the stack has no queue "${key}"`);
  }
  return queue;
}

function propertiesOf(type: string, element: unknown): Record<string, unknown> {
  const id = stack.getLogicalId(element as CfnElement);
  const resource = template.findResources(type)[id];
  if (resource === undefined) {
    throw new Error(`no ${type} ${id} in the template`);
  }
  return resource.Properties;
}

function mappingOf(key: string): Record<string, unknown> {
  const functionRef = stack.resolve(findConsumer(key).function.functionName);
  const mappings = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping'),
  ).filter(
    (mapping) =>
      JSON.stringify(mapping.Properties.FunctionName) ===
      JSON.stringify(functionRef),
  );

  expect(mappings).toHaveLength(1);
  return mappings[0]?.Properties;
}

function statementsOf(key: string): Statement[] {
  const role = JSON.stringify(stack.resolve(findConsumer(key).role.roleName));
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      policy.Properties.Roles.some(
        (entry: unknown) => JSON.stringify(entry) === role,
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('QueueConsumer', () => {
  it('feeds the FIFO queue to its consumer in batches of 10, reporting failures per record', () => {
    const queue = findQueue(stack, 'volunteering').queue;

    const mapping = mappingOf('volunteering');

    expect(mapping).toMatchObject({
      EventSourceArn: stack.resolve(queue.queueArn),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(mapping.ScalingConfig).toBeUndefined();
  });

  it('passes the batch size, batching window and concurrency of a standard queue', () => {
    const queue = findQueue(stack, 'catalog').queue;

    expect(mappingOf('catalog')).toMatchObject({
      EventSourceArn: stack.resolve(queue.queueArn),
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs the configured export with the house defaults, memory and timeout', () => {
    const example = findConsumer('volunteering').function;
    const fixture = findConsumer('catalog').function;

    expect(
      propertiesOf('AWS::Lambda::Function', example.node.defaultChild),
    ).toMatchObject({
      Handler: 'index.handler',
      Runtime: RELAY_RUNTIME.name,
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
    });
    expect(
      propertiesOf('AWS::Lambda::Function', fixture.node.defaultChild),
    ).toMatchObject({ Handler: 'index.recordBatch', MemorySize: 512 });
  });

  it('raises a visibility timeout shorter than six function timeouts plus the window', () => {
    const visibilityOf = (key: string) =>
      propertiesOf(
        'AWS::SQS::Queue',
        findQueue(stack, key).queue.node.defaultChild,
      ).VisibilityTimeout;

    expect(visibilityOf('volunteering')).toBe(6 * 30);
    expect(visibilityOf('catalog')).toBe(900);
    expect(visibilityOf('unrouted')).toBe(60);
  });

  it('raises the standard queue too when its window and timeout need more', () => {
    const tight = synthesizeRelay({
      ...CONSUMER_CONFIG,
      queues: {
        ...CONSUMER_CONFIG.queues,
        catalog: {
          ...CONSUMER_CONFIG.queues.catalog,
          visibilityTimeoutSeconds: 30,
        },
      },
    });
    const queue = findQueue(tight.stack, 'catalog').queue;
    const id = tight.stack.getLogicalId(queue.node.defaultChild as CfnElement);

    const properties =
      tight.template.findResources('AWS::SQS::Queue')[id]?.Properties;

    expect(properties?.VisibilityTimeout).toBe(6 * 120 + 5);
  });

  it('lets a consumer consume its own queue and write its own logs, nothing else', () => {
    for (const key of ['volunteering', 'catalog']) {
      const relayFunction = findConsumer(key);
      const queueArn = stack.resolve(findQueue(stack, key).queue.queueArn);
      const logGroupArn = stack.resolve(relayFunction.logGroup.logGroupArn);

      const statements = statementsOf(key);

      expect(statements).toHaveLength(2);
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: logGroupArn,
          },
          {
            Effect: 'Allow',
            Action: expect.arrayContaining([
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:ChangeMessageVisibility',
            ]),
            Resource: queueArn,
          },
        ]),
      );
      const actions = statements.flatMap((statement) =>
        [statement.Action].flat(),
      );
      expect(actions.filter((action) => action === 'sqs:SendMessage')).toEqual(
        [],
      );
    }
  });

  it('outputs the name of each consumer function', () => {
    const outputs = template.findOutputs('*');

    expect(outputs.VolunteeringConsumerFunctionName?.Value).toEqual(
      stack.resolve(findConsumer('volunteering').function.functionName),
    );
    expect(outputs.CatalogConsumerFunctionName?.Value).toEqual(
      stack.resolve(findConsumer('catalog').function.functionName),
    );
    expect(outputs.UnroutedConsumerFunctionName).toBeUndefined();
  });

  it('creates no consumer function, mapping or output without a consumer', () => {
    const plain = synthesizeRelay(SAMPLE_ROUTING);

    expect(plain.stack.consumers).toEqual([]);
    plain.template.resourceCountIs('AWS::Lambda::Function', 1);
    plain.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(
      Object.keys(plain.template.findOutputs('*')).filter((name) =>
        name.endsWith('ConsumerFunctionName'),
      ),
    ).toEqual([]);
  });
});
