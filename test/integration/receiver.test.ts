import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  encodeWireForm,
  MESSAGE_ATTRIBUTE,
  readSample,
  SAMPLE_EVENT_TYPES,
} from '../../events/index.js';
import {
  createSecretKeySource,
  createSecretsClient,
  createSqsClient,
} from '../../functions/receiver/aws-clients.js';
import {
  createReceiver,
  type ReceiverHandler,
} from '../../functions/receiver/handler.js';
import { signBody } from '../../functions/receiver/signature.js';
import { createSigningKeyStore } from '../../functions/receiver/signing-keys.js';
import {
  parseRelayConfig,
  queueNameOf,
  type RelayConfig,
} from '../../infra/config.js';
import {
  OTHER_ORGANIZATION_ID,
  TEST_SIGNING_KEY,
  UNKNOWN_KEY,
} from '../fixtures/keys.js';
import { expectedQueueOf, SAMPLE_ROUTING } from '../fixtures/relay-config.js';
import {
  buildHttpApiEvent,
  signedSampleEvent,
  TEST_REQUEST_ID,
} from '../fixtures/requests.js';
import { useMotoServer } from './moto-server.js';
import { drainQueues } from './relay-queues.js';

const SECRET_ID = 'vomo-relay/signing-keys';
const RECEIVED_AT = new Date('2024-01-15T12:00:00.000Z');

const ROUTED = parseRelayConfig(SAMPLE_ROUTING);

/** Two rules that both match `participation.created`, plus a duplicate. */
const FAN_OUT = parseRelayConfig({
  queues: { volunteering: { fifo: true }, catalog: {} },
  organizations: {
    '1': [
      { events: ['participation.*'], queue: 'volunteering' },
      { events: ['participation.created'], queue: 'volunteering' },
      { events: ['*.created'], queue: 'catalog' },
    ],
  },
});

/** A relay wired to real queues and a real secret on moto. */
interface Relay {
  readonly receive: ReceiverHandler;
  readonly queueUrls: Readonly<Record<string, string>>;
}

const moto = useMotoServer();
let sqs: SQSClient;
let secrets: SecretsManagerClient;

beforeAll(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');

  // The receiver's own client factories: timeouts and retries as deployed.
  sqs = createSqsClient();
  secrets = createSecretsClient();
});

beforeEach(async () => {
  await moto.server().reset();
});

async function createRelay(
  config: RelayConfig,
  secret: object | null = { '1': TEST_SIGNING_KEY },
): Promise<Relay> {
  if (secret !== null) {
    await secrets.send(
      new CreateSecretCommand({
        Name: SECRET_ID,
        SecretString: JSON.stringify(secret),
      }),
    );
  }

  const queueUrls: Record<string, string> = {};
  for (const [key, queue] of Object.entries(config.queues)) {
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: queueNameOf(key, queue),
        Attributes: queue.fifo ? { FifoQueue: 'true' } : {},
      }),
    );
    queueUrls[key] = created.QueueUrl ?? '';
  }

  const receive = createReceiver({
    routing: config,
    queueUrls,
    signingKeys: createSigningKeyStore({
      source: createSecretKeySource(secrets, SECRET_ID),
    }),
    sqs,
    now: () => RECEIVED_AT,
  });
  return { receive, queueUrls };
}

/** Every queue of a relay, drained: what each held, by queue key. */
function drainAll(relay: Relay): Promise<Record<string, Message[]>> {
  return drainQueues(sqs, relay.queueUrls);
}

function countOf(messages: Record<string, Message[]>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(messages).map(([key, list]) => [key, list.length]),
  );
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

function attribute(message: Message | undefined, name: string) {
  return message?.MessageAttributes?.[name];
}

/** A sample with another organization id, encoded and signed as VOMO would. */
function sampleFor(type: string, organizationId: number): Buffer {
  const value = JSON.parse(readSample(type).toString('utf8'));
  value.organization_id = organizationId;
  return Buffer.from(encodeWireForm(value));
}

describe('createReceiver against SQS and Secrets Manager on moto', () => {
  it.each(SAMPLE_EVENT_TYPES)(
    'forwards %s to its queue byte for byte',
    async (type) => {
      const relay = await createRelay(ROUTED);
      const sample = readSample(type);
      const queue = expectedQueueOf(type);

      const answer = await relay.receive(signedSampleEvent(type));

      expect(answer.statusCode).toBe(200);
      const messages = await drainAll(relay);
      expect(countOf(messages)).toEqual({
        volunteering: queue === 'volunteering' ? 1 : 0,
        catalog: queue === 'catalog' ? 1 : 0,
        unrouted: 0,
      });

      const message = messages[queue]?.[0];
      expect(Buffer.from(message?.Body ?? '', 'utf8')).toEqual(sample);
      expect(message?.MD5OfBody).toBe(md5(sample));
    },
  );

  it('describes each message in its attributes', async () => {
    const relay = await createRelay(ROUTED);
    const sample = readSample('project.public.updated');

    await relay.receive(signedSampleEvent('project.public.updated'));

    const [message] = (await drainAll(relay)).catalog ?? [];
    const text = (StringValue: string) => ({ DataType: 'String', StringValue });
    expect(message?.MessageAttributes).toEqual({
      [MESSAGE_ATTRIBUTE.type]: text('project.public.updated'),
      [MESSAGE_ATTRIBUTE.organizationId]: {
        DataType: 'Number',
        StringValue: '1',
      },
      [MESSAGE_ATTRIBUTE.object]: text('project'),
      [MESSAGE_ATTRIBUTE.action]: text('updated'),
      [MESSAGE_ATTRIBUTE.isPublic]: text('true'),
      [MESSAGE_ATTRIBUTE.bodySha256]: text(sha256(sample)),
      [MESSAGE_ATTRIBUTE.receivedAt]: text(RECEIVED_AT.toISOString()),
      [MESSAGE_ATTRIBUTE.requestId]: text(TEST_REQUEST_ID),
    });
  });

  it('groups FIFO messages by object, deduplicates by body hash', async () => {
    const relay = await createRelay(ROUTED);
    const sample = readSample('participation.created');

    await relay.receive(signedSampleEvent('participation.created'));

    const [message] = (await drainAll(relay)).volunteering ?? [];
    const { id } = JSON.parse(sample.toString('utf8')).data;
    expect(message?.Attributes).toMatchObject({
      MessageGroupId: `1:participation:${id}`,
      MessageDeduplicationId: sha256(sample),
    });
  });

  it('keeps one copy of a retried delivery on a FIFO queue', async () => {
    const relay = await createRelay(ROUTED);
    const event = signedSampleEvent('participation.updated');

    const first = await relay.receive(event);
    const retry = await relay.receive(event);

    expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
    expect(countOf(await drainAll(relay))).toEqual({
      volunteering: 1,
      catalog: 0,
      unrouted: 0,
    });
  });

  it('keeps both copies on a standard queue, with one hash', async () => {
    const relay = await createRelay(ROUTED);
    const event = signedSampleEvent('campaign.updated');

    await relay.receive(event);
    await relay.receive(event);

    const copies = (await drainAll(relay)).catalog ?? [];
    const hashes = copies.map(
      (copy) => attribute(copy, MESSAGE_ATTRIBUTE.bodySha256)?.StringValue,
    );
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(hashes[1]);
  });

  it('puts one copy on each queue whose route matches', async () => {
    const relay = await createRelay(FAN_OUT);
    const sample = readSample('participation.created');

    const answer = await relay.receive(
      signedSampleEvent('participation.created'),
    );

    expect(answer.statusCode).toBe(200);
    const messages = await drainAll(relay);
    expect(countOf(messages)).toEqual({ volunteering: 1, catalog: 1 });
    expect(messages.catalog?.[0]?.Body).toBe(sample.toString('utf8'));
  });

  it('sends a type no route matches to the unrouted queue', async () => {
    const relay = await createRelay(ROUTED);
    const body = encodeWireForm({
      type: 'shift.created',
      organization_id: 1,
      data: { id: 5, starts_at: '2024-02-01T09:00:00+00:00' },
    });

    const answer = await relay.receive(
      buildHttpApiEvent({ body, signature: signBody(body, TEST_SIGNING_KEY) }),
    );

    expect(answer.statusCode).toBe(200);
    const messages = await drainAll(relay);
    expect(countOf(messages)).toEqual({
      volunteering: 0,
      catalog: 0,
      unrouted: 1,
    });
    expect(messages.unrouted?.[0]?.Body).toBe(body);
  });

  describe('rejects without queueing anything', () => {
    const sample = readSample('participation.created');

    const cases: [string, () => APIGatewayProxyEventV2][] = [
      [
        'a body changed after signing',
        () =>
          buildHttpApiEvent({
            body: sample.toString('utf8').replace('APPROVED', 'REJECTED'),
            signature: signBody(sample, TEST_SIGNING_KEY),
          }),
      ],
      [
        'a body signed with a key the organization does not have',
        () => signedSampleEvent('participation.created', UNKNOWN_KEY),
      ],
      [
        'an organization with no key in the secret',
        () => {
          const body = sampleFor(
            'participation.created',
            OTHER_ORGANIZATION_ID,
          );
          return buildHttpApiEvent({
            body,
            signature: signBody(body, TEST_SIGNING_KEY),
          });
        },
      ],
    ];

    it.each(cases)('%s', async (_, buildEvent) => {
      const relay = await createRelay(ROUTED);

      const answer = await relay.receive(buildEvent());

      expect(answer.statusCode).toBe(401);
      expect(countOf(await drainAll(relay))).toEqual({
        volunteering: 0,
        catalog: 0,
        unrouted: 0,
      });
    });
  });

  it('answers 503 while the signing-keys secret does not exist', async () => {
    const relay = await createRelay(ROUTED, null);

    const answer = await relay.receive(
      signedSampleEvent('participation.created'),
    );

    expect(answer.statusCode).toBe(503);
    expect(countOf(await drainAll(relay))).toEqual({
      volunteering: 0,
      catalog: 0,
      unrouted: 0,
    });
  });
});
