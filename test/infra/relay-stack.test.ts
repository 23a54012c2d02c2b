import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  RECEIVER_ENV,
  ROUTING_FILE_NAME,
} from '../../functions/receiver/environment.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import { synthesizeRelay } from './synthesize.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

interface PolicyResource {
  Properties: {
    PolicyDocument: { Statement: Statement[] };
    Roles: unknown[];
  };
}

const { stack, template } = synthesizeRelay();
const resolve = (value: unknown): unknown => stack.resolve(value);
const logicalIdOf = (element: CfnElement): string =>
  stack.getLogicalId(element);

function listPolicies(): PolicyResource[] {
  return Object.values(
    template.findResources('AWS::IAM::Policy'),
  ) as PolicyResource[];
}

function receiverStatements(): Statement[] {
  const role = resolve(stack.receiver.role.roleName);
  return listPolicies()
    .filter((policy) =>
      policy.Properties.Roles.some((entry) => isEqual(entry, role)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

function resourcesOf(statement: Statement): unknown[] {
  return [statement.Resource].flat();
}

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function receiverEnvironment(): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function');
  const receiver = functions[
    logicalIdOf(stack.receiver.function.node.defaultChild as CfnElement)
  ] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  };
  return receiver.Properties.Environment.Variables;
}

describe('RelayStack', () => {
  it('lets the receiver read its one secret and nothing else of Secrets Manager', () => {
    const secret = resolve(stack.signingKeys.secretArn);

    const statements = receiverStatements().filter((statement) =>
      actionsOf(statement).some((action) =>
        action.startsWith('secretsmanager:'),
      ),
    );

    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0] as Statement)).toContain(
      'secretsmanager:GetSecretValue',
    );
    expect(
      actionsOf(statements[0] as Statement).every((action) =>
        [
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
        ].includes(action),
      ),
    ).toBe(true);
    expect(resourcesOf(statements[0] as Statement)).toEqual([secret]);
  });

  it('lets the receiver send to the configured queues and to no dead-letter queue', () => {
    const queues = stack.queues.map(({ queue }) => resolve(queue.queueArn));

    const targets = receiverStatements()
      .filter((statement) => actionsOf(statement).includes('sqs:SendMessage'))
      .flatMap(resourcesOf);

    expect(targets).toHaveLength(queues.length);
    expect(targets).toEqual(expect.arrayContaining(queues));
  });

  it('grants the receiver no action beyond logging, key reading and sending', () => {
    const allowed = new Set([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    ]);

    const actions = receiverStatements().flatMap(actionsOf);

    expect(actions.filter((action) => !allowed.has(action))).toEqual([]);
    expect(receiverStatements().every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('names no wildcard resource in any IAM policy', () => {
    const resources = listPolicies()
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap(resourcesOf);

    expect(resources.length).toBeGreaterThan(0);
    expect(resources.filter((resource) => resource === '*')).toEqual([]);
  });

  it('attaches no managed policy to the receiver role', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const role = roles[
      logicalIdOf(stack.receiver.role.node.defaultChild as CfnElement)
    ] as { Properties: Record<string, unknown> };

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('mentions the signing-keys secret in the receiver policy only', () => {
    const secret = JSON.stringify(resolve(stack.signingKeys.secretArn));

    const mentioning = listPolicies().filter((policy) =>
      JSON.stringify(policy).includes(secret),
    );

    expect(mentioning).toHaveLength(1);
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  it('creates the signing-keys secret without any value and keeps it on delete', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');

    expect(Object.keys(secrets)).toHaveLength(1);
    const [secret] = Object.values(secrets) as {
      Properties: Record<string, unknown>;
      DeletionPolicy: string;
      UpdateReplacePolicy: string;
    }[];
    expect(secret?.Properties.SecretString).toBeUndefined();
    expect(secret?.Properties.GenerateSecretString).toBeUndefined();
    expect(secret?.DeletionPolicy).toBe('Retain');
    expect(secret?.UpdateReplacePolicy).toBe('Retain');
  });

  it('gives every queue in the template a dead-letter queue, encryption and a TLS-only policy', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const policies = Object.values(
      template.findResources('AWS::SQS::QueuePolicy'),
    );
    const deadLetterTargets = Object.values(queues).flatMap((queue) => {
      const redrive = queue.Properties.RedrivePolicy;
      return redrive ? [JSON.stringify(redrive.deadLetterTargetArn)] : [];
    });

    for (const [id, queue] of Object.entries(queues)) {
      const arn = JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
      const isDeadLetterQueue = deadLetterTargets.includes(arn);
      const denies = policies.filter((policy) =>
        isEqual(policy.Properties.Queues, [{ Ref: id }]),
      );

      expect(isDeadLetterQueue || queue.Properties.RedrivePolicy).toBeTruthy();
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(JSON.stringify(denies)).toContain('"aws:SecureTransport":"false"');
    }
    expect(Object.keys(queues)).toHaveLength(
      2 * Object.keys(SAMPLE_ROUTING.queues).length,
    );
  });

  it('outputs the webhook URL, the secret ARN and each queue URL, ARN and DLQ URL', () => {
    const outputs = template.findOutputs('*');

    expect(JSON.stringify(outputs.WebhookUrl?.Value)).toMatch(/\/vomo"\]\]\}$/);
    expect(outputs.SigningKeysSecretArn?.Value).toEqual(
      resolve(stack.signingKeys.secretArn),
    );
    for (const { key, queue, deadLetterQueue } of stack.queues) {
      const name = key.charAt(0).toUpperCase() + key.slice(1);
      expect(outputs[`${name}QueueUrl`]?.Value).toEqual(
        resolve(queue.queueUrl),
      );
      expect(outputs[`${name}QueueArn`]?.Value).toEqual(
        resolve(queue.queueArn),
      );
      expect(outputs[`${name}DeadLetterQueueUrl`]?.Value).toEqual(
        resolve(deadLetterQueue.queueUrl),
      );
      expect(outputs[`${name}DeadLetterQueueArn`]?.Value).toEqual(
        resolve(deadLetterQueue.queueArn),
      );
    }
  });

  it('tells the receiver its secret, queue URLs and key cache time', () => {
    const variables = receiverEnvironment();
    const queueUrls = JSON.stringify(variables[RECEIVER_ENV.queueUrls]);

    expect(variables[RECEIVER_ENV.secretId]).toEqual(
      resolve(stack.signingKeys.secretArn),
    );
    for (const { key, queue } of stack.queues) {
      expect(queueUrls).toContain(`\\"${key}\\":\\"`);
      expect(queueUrls).toContain(JSON.stringify(resolve(queue.queueUrl)));
    }
    expect(variables[RECEIVER_ENV.keyCacheSeconds]).toBe('300');
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('vomo-receiver');
    expect(variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
  });

  it('leaves the body limit to the receiver unless one is configured', () => {
    const configured = synthesizeRelay({
      ...SAMPLE_ROUTING,
      receiver: { maxBodyBytes: 65_536, logLevel: 'WARN' },
    });

    const variables = configured.template.findResources(
      'AWS::Lambda::Function',
    );
    const [receiver] = Object.values(variables);

    expect(receiverEnvironment()[RECEIVER_ENV.maxBodyBytes]).toBeUndefined();
    expect(receiver?.Properties.Environment.Variables).toMatchObject({
      [RECEIVER_ENV.maxBodyBytes]: '65536',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
  });

  it('never puts the routing table into the environment', () => {
    const variables = JSON.stringify(receiverEnvironment());

    expect(variables).not.toContain('participation.*');
    expect(variables).not.toContain(ROUTING_FILE_NAME);
  });
});
