import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readSample } from '../../events/index.js';
import { signBody } from '../../functions/receiver/signature.js';
import { startLocalRelay } from '../../local/local-relay.js';
import { TEST_KEYS_SECRET, TEST_SIGNING_KEY } from '../fixtures/keys.js';
import { SAMPLE_ROUTING, writeCdkJson } from '../fixtures/relay-config.js';
import { useMotoClients } from './moto-server.js';
import { drainQueues } from './relay-queues.js';

const SECRET_ID = 'local-test/signing-keys';
const CDK_JSON = writeCdkJson(SAMPLE_ROUTING);

const moto = useMotoClients();

beforeAll(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

function startOnMoto() {
  return startLocalRelay({
    cdkJsonPath: CDK_JSON,
    port: 0,
    awsEndpointUrl: moto.server().endpoint,
    secretId: SECRET_ID,
  });
}

describe('startLocalRelay with AWS_ENDPOINT_URL', () => {
  it('creates the configured queues there under their SQS names', async () => {
    const relay = await startOnMoto();

    try {
      const sqs = moto.sqs();
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      const names = QueueUrls.map((url) => url.split('/').at(-1)).sort();

      expect(names).toEqual(['catalog', 'unrouted', 'volunteering.fifo']);
      expect(relay.sqsEndpoint).toBe(moto.server().endpoint);
    } finally {
      await relay.stop();
    }
  });

  it('leaves a queue that exists as it is', async () => {
    const { QueueUrl } = await moto.sqs().send(
      new CreateQueueCommand({
        QueueName: 'catalog',
        Attributes: { VisibilityTimeout: '7' },
      }),
    );

    const relay = await startOnMoto();

    try {
      const { Attributes } = await moto.sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['VisibilityTimeout'],
        }),
      );
      expect(relay.queueUrls.catalog).toBe(QueueUrl);
      expect(Attributes?.VisibilityTimeout).toBe('7');
    } finally {
      await relay.stop();
    }
  });

  it('tells at start-up that the secret is missing', async () => {
    const relay = await startOnMoto();

    try {
      expect(relay.keys).toEqual({
        kind: 'secret',
        secretId: SECRET_ID,
        problem: expect.stringContaining('ResourceNotFoundException'),
      });
    } finally {
      await relay.stop();
    }
  });

  it('verifies with the secret and queues on the endpoint', async () => {
    await moto.secrets().send(
      new CreateSecretCommand({
        Name: SECRET_ID,
        SecretString: TEST_KEYS_SECRET,
      }),
    );
    const relay = await startOnMoto();
    const body = readSample('participation.created');

    try {
      const answer = await fetch(relay.url, {
        method: 'POST',
        headers: { 'vomo-signature': signBody(body, TEST_SIGNING_KEY) },
        body,
      });

      expect(relay.keys).toEqual({ kind: 'secret', secretId: SECRET_ID });
      expect(answer.status).toBe(200);
      const { volunteering = [] } = await drainQueues(
        moto.sqs(),
        relay.queueUrls,
      );
      expect(volunteering.map((message) => message.Body)).toEqual([
        body.toString('utf8'),
      ]);
    } finally {
      await relay.stop();
    }
  });
});
