import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { RelayConfigError } from '../../infra/config.js';
import {
  createRelayApp,
  readDeployEnvironment,
} from '../../infra/relay-app.js';
import { RelayStack } from '../../infra/relay-stack.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import { synthesizeRelay } from './synthesize.js';

/** Every optional part switched on, so every resource meets the checks. */
const FULL_CONFIG = {
  ...SAMPLE_ROUTING,
  queues: {
    ...SAMPLE_ROUTING.queues,
    volunteering: { ...SAMPLE_ROUTING.queues.volunteering, consumer: {} },
    catalog: {
      ...SAMPLE_ROUTING.queues.catalog,
      consumer: { batchSize: 100, maxBatchingWindowSeconds: 10 },
    },
  },
  alarmEmail: 'operations@example.org',
  receiver: { reservedConcurrency: 10, maxBodyBytes: 262_144 },
};

const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations: { ruleName: string }[];
  }[];
}

function readValidationReport(app: App): ValidationReport {
  return JSON.parse(
    readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'),
  );
}

function collectAcknowledgements(root: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === ACKNOWLEDGED_RULES) {
        Object.assign(found, entry.data);
      }
    }
  }
  return found;
}

function createTestApp(config: object = FULL_CONFIG): App {
  return createRelayApp({
    context: { vomo: config, 'aws:cdk:bundling-stacks': [] },
  });
}

describe('createRelayApp', () => {
  it('passes the AWS Solutions and CloudFormation checks with nothing unacknowledged', () => {
    const app = createTestApp();

    app.synth();

    const report = readValidationReport(app);
    expect(
      report.pluginReports.flatMap((plugin) =>
        plugin.violations.map(
          (violation) => `${plugin.pluginName}: ${violation.ruleName}`,
        ),
      ),
    ).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = createTestApp();
    const stack = app.node.children.find(
      (child) => child instanceof RelayStack,
    );
    if (stack === undefined) {
      throw new Error('the app has no relay stack');
    }

    new sqs.Queue(stack, 'Unchecked');

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('explains every acknowledged finding', () => {
    const app = createTestApp();

    const acknowledgements = collectAcknowledgements(app);

    expect(Object.keys(acknowledgements).sort()).toEqual([
      'AwsSolutions::AwsSolutions-APIG4',
      'AwsSolutions::AwsSolutions-SMG4',
    ]);
    for (const reason of Object.values(acknowledgements)) {
      expect(reason.length).toBeGreaterThan(80);
    }
  });

  it('names the stack after the config, VomoRelay by default', () => {
    const named = createTestApp({
      ...SAMPLE_ROUTING,
      stackName: 'VomoStaging',
    });

    expect(
      createTestApp(SAMPLE_ROUTING).node.tryFindChild('VomoRelay'),
    ).toBeInstanceOf(RelayStack);
    expect(named.node.tryFindChild('VomoStaging')).toBeInstanceOf(RelayStack);
  });

  it('stays environment-agnostic when the CLI found no account', () => {
    const { stack } = synthesizeRelay();

    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('fails naming the key when the config is missing or invalid', () => {
    expect(() => createRelayApp()).toThrow(RelayConfigError);
    expect(() =>
      createTestApp({ ...SAMPLE_ROUTING, unrouted: 'nowhere' }),
    ).toThrow(/context\.vomo\.unrouted/);
  });
});

describe('readDeployEnvironment', () => {
  it('pins the account and region the CLI found', () => {
    const env = readDeployEnvironment({
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: 'eu-central-1',
    });

    expect(env).toEqual({ account: '123456789012', region: 'eu-central-1' });
  });

  it('pins nothing when only the fallback region is known', () => {
    const env = readDeployEnvironment({ CDK_DEFAULT_REGION: 'us-east-1' });

    expect(env).toBeUndefined();
  });
});
