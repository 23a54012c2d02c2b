import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RECEIVER_ENV,
  ROUTING_FILE_NAME,
} from '../../functions/receiver/environment.js';
import {
  RECEIVER_METRIC,
  RECEIVER_SERVICE_NAME,
} from '../../functions/receiver/handler.js';
import { signBody } from '../../functions/receiver/signature.js';
import { METRICS_NAMESPACE } from '../../functions/telemetry.js';
import { RELAY_RUNTIME, RelayFunction } from '../../infra/relay-function.js';
import type { RelayStack } from '../../infra/relay-stack.js';
import { buildLargeConfig, synthesizeRelay } from './synthesize.js';

const run = promisify(execFile);

/** Measured at 401 KB when written; the budget leaves half again as much. */
const BUNDLE_BUDGET_BYTES = 600 * 1024;

/** Every variable of the 1,000-organization receiver, tokens included. */
const ENVIRONMENT_BUDGET_BYTES = 1024;

const ORGANIZATIONS = 1_000;
const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:vomo-keys-AbCdEf';
const KEYS = { '998': 'key-of-998', '999': 'key-of-999' };

function findNewestNodeRuntime(): lambda.Runtime {
  const versions = Object.entries(lambda.Runtime).flatMap(([name, value]) => {
    const match = /^NODEJS_(\d+)_X$/.exec(name);
    return match && value instanceof lambda.Runtime
      ? [{ version: Number(match[1]), runtime: value }]
      : [];
  });
  versions.sort((a, b) => b.version - a.version);

  const [newest] = versions;
  if (newest === undefined) {
    throw new Error('aws-cdk-lib offers no Node.js runtime');
  }
  return newest.runtime;
}

function synthesizeFunction(reservedConcurrency?: number) {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'FunctionTest');
  const relayFunction = new RelayFunction(stack, 'Worker', {
    entry: 'functions/receiver/index.ts',
    description: 'A test function',
    memorySizeMb: 256,
    timeout: Duration.seconds(4),
    logRetention: logs.RetentionDays.ONE_WEEK,
    reservedConcurrency,
  });
  const template = Template.fromStack(stack);
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);

  return {
    stack,
    template,
    relayFunction,
    properties: template.findResources('AWS::Lambda::Function')[
      idOf(relayFunction.function.node.defaultChild)
    ]?.Properties,
  };
}

describe('RELAY_RUNTIME', () => {
  it('is the newest Node.js runtime the installed aws-cdk-lib offers', () => {
    expect(RELAY_RUNTIME.name).toBe(findNewestNodeRuntime().name);
  });
});

describe('RelayFunction', () => {
  it('runs on arm64 with the relay runtime, memory and timeout', () => {
    const { properties } = synthesizeFunction();

    expect(properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: RELAY_RUNTIME.name,
      MemorySize: 256,
      Timeout: 4,
    });
  });

  it('logs to a log group of its own with the given retention', () => {
    const { stack, template, relayFunction, properties } = synthesizeFunction();

    expect(properties.LoggingConfig.LogGroup).toEqual(
      stack.resolve(relayFunction.logGroup.logGroupName),
    );
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 7,
    });
  });

  it('may write to its own log group and do nothing else until granted', () => {
    const { stack, template, relayFunction } = synthesizeFunction();

    const policies = Object.values(template.findResources('AWS::IAM::Policy'));

    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: stack.resolve(relayFunction.logGroup.logGroupArn),
      },
    ]);
  });

  it('reserves concurrency only when asked to', () => {
    const unreserved = synthesizeFunction();
    const reserved = synthesizeFunction(20);

    expect(unreserved.properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(reserved.properties.ReservedConcurrentExecutions).toBe(20);
  });
});

interface SentMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
}

interface BundleRun {
  readonly answers: { statusCode: number }[];
  readonly metrics: Record<string, unknown>[];
}

/**
 * Answers the two AWS calls the receiver makes, as Secrets Manager and SQS
 * would over their JSON protocols, and records what was sent.
 */
function startAwsStub(sent: SentMessage[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const target = request.headers['x-amz-target'];
      const output =
        target === 'secretsmanager.GetSecretValue'
          ? { ARN: SECRET_ARN, SecretString: JSON.stringify(KEYS) }
          : recordMessage(sent, input);

      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(JSON.stringify(output));
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function recordMessage(sent: SentMessage[], input: SentMessage): object {
  sent.push(input);
  return {
    MessageId: `message-${sent.length}`,
    MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex'),
  };
}

function buildEvent(organizationId: number, key?: string): object {
  const body = JSON.stringify({
    type: 'participation.created',
    organization_id: organizationId,
    data: { id: 4711 },
  });

  return {
    version: '2.0',
    routeKey: 'POST /vomo',
    headers: key === undefined ? {} : { 'vomo-signature': signBody(body, key) },
    requestContext: { http: { method: 'POST' }, requestId: 'bundle-test' },
    body,
    isBase64Encoded: false,
  };
}

// Runs in a fresh Node process, as Lambda would: importing the bundle runs
// its start-up code, then each event goes through the exported handler.
const RUN_BUNDLE = `
const { handler } = await import(process.env.TEST_BUNDLE_URL);
for (const event of JSON.parse(process.env.TEST_EVENTS)) {
  const answer = await handler(event);
  console.log('ANSWER ' + JSON.stringify(answer));
}
`;

async function runBundle(
  directory: string,
  variables: Record<string, string>,
  events: object[],
): Promise<BundleRun> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '--eval', RUN_BUNDLE],
    {
      cwd: directory,
      env: {
        PATH: process.env.PATH,
        ...variables,
        LAMBDA_TASK_ROOT: directory,
        TEST_BUNDLE_URL: pathToFileURL(join(directory, 'index.mjs')).href,
        TEST_EVENTS: JSON.stringify(events),
      },
    },
  );

  const lines = stdout.split('\n');
  return {
    answers: lines
      .filter((line) => line.startsWith('ANSWER '))
      .map((line) => JSON.parse(line.slice('ANSWER '.length))),
    metrics: lines
      .filter((line) => line.includes('"CloudWatchMetrics"'))
      .map((line) => JSON.parse(line)),
  };
}

interface ReceiverProperties {
  readonly Code: { S3Key: string };
  readonly Environment: { Variables: Record<string, unknown> };
}

function readReceiverProperties(
  stack: RelayStack,
  template: Template,
): ReceiverProperties {
  const id = stack.getLogicalId(
    stack.receiver.function.node.defaultChild as CfnElement,
  );
  return template.findResources('AWS::Lambda::Function')[id]?.Properties;
}

/**
 * The template's variables, with the values CloudFormation would resolve
 * replaced by the stub's addresses.
 */
function buildVariables(
  receiver: ReceiverProperties,
  endpoint: string,
  queueUrls: Record<string, string>,
): Record<string, string> {
  const literal = Object.entries(receiver.Environment.Variables).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );

  return {
    ...Object.fromEntries(literal),
    [RECEIVER_ENV.secretId]: SECRET_ARN,
    [RECEIVER_ENV.queueUrls]: JSON.stringify(queueUrls),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: endpoint,
  };
}

describe('the receiver bundle of a 1,000-organization config', () => {
  const sent: SentMessage[] = [];
  let server: Server;
  let receiver: ReceiverProperties;
  let bundleDir: string;
  let variables: Record<string, string>;
  let queueUrls: Record<string, string>;

  beforeAll(async () => {
    server = await startAwsStub(sent);
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { stack, template } = synthesizeRelay(
      buildLargeConfig(ORGANIZATIONS),
      { bundle: true },
    );
    receiver = readReceiverProperties(stack, template);

    const hash = receiver.Code.S3Key.replace(/\.zip$/, '');
    bundleDir = join((stack.node.root as App).outdir, `asset.${hash}`);
    queueUrls = Object.fromEntries(
      stack.queues.map(({ key, queue }) => [
        key,
        `${endpoint}/123456789012/${key}${queue.fifo ? '.fifo' : ''}`,
      ]),
    );
    variables = buildVariables(receiver, endpoint, queueUrls);
  });

  afterAll(() => {
    server?.close();
  });

  it('stays under its size budget', () => {
    const bytes = statSync(join(bundleDir, 'index.mjs')).size;

    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(BUNDLE_BUDGET_BYTES);
  });

  it('carries the AWS SDK and every other package inside, importing only Node built-ins', () => {
    const code = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');

    const imports = code.match(/(?:from\s*|import\s*\(\s*)["'][^"']+["']/g);

    expect(code).toContain('GetSecretValue');
    expect(imports?.length).toBeGreaterThan(0);
    expect(imports?.filter((entry) => !/["']node:/.test(entry))).toEqual([]);
  });

  it('carries the whole routing table beside the handler', () => {
    const routing = JSON.parse(
      readFileSync(join(bundleDir, ROUTING_FILE_NAME), 'utf8'),
    );

    expect(Object.keys(routing.organizations)).toHaveLength(ORGANIZATIONS);
    expect(routing.unrouted).toBe('unrouted');
  });

  it('keeps the environment small whatever the number of organizations', () => {
    const size = JSON.stringify(receiver.Environment.Variables).length;

    expect(size).toBeLessThan(ENVIRONMENT_BUDGET_BYTES);
  });

  it('starts from the stack environment and answers an unsigned request with 401 and its metrics', async () => {
    const result = await runBundle(bundleDir, variables, [buildEvent(998)]);

    const unauthorized = result.metrics.find(
      (line) => RECEIVER_METRIC.unauthorized in line,
    );
    expect(result.answers.map((answer) => answer.statusCode)).toEqual([401]);
    expect(unauthorized).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          { Namespace: METRICS_NAMESPACE, Dimensions: [['service']] },
        ],
      },
      service: RECEIVER_SERVICE_NAME,
    });
  });

  it('routes organizations near the end of the table to their own queues', async () => {
    sent.length = 0;

    const result = await runBundle(bundleDir, variables, [
      buildEvent(998, KEYS['998']),
      buildEvent(999, KEYS['999']),
    ]);

    expect(result.answers.map((answer) => answer.statusCode)).toEqual([
      200, 200,
    ]);
    expect(sent.map((message) => message.QueueUrl)).toEqual([
      queueUrls.volunteering,
      queueUrls.catalog,
    ]);
    expect(JSON.parse(sent[0]?.MessageBody ?? '{}').organization_id).toBe(998);
  });
});
