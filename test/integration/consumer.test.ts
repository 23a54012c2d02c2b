import { createHash } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { readSample } from '../../events/index.js';
import { signBody } from '../../functions/receiver/signature.js';
import { type LocalRelay, startLocalRelay } from '../../local/local-relay.js';
import {
  type BatchOutcome,
  POLL_WAIT_SECONDS,
} from '../../local/queue-consumer-runner.js';
import { TEST_KEYS_SECRET, TEST_SIGNING_KEY } from '../fixtures/keys.js';
import {
  type FirstDeliveryPlan,
  type RecordedRecord,
  readRecorded,
  resetRecorder,
} from '../fixtures/recording-consumer.js';
import { SAMPLE_ROUTING, writeCdkJson } from '../fixtures/relay-config.js';
import { useMotoClients } from './moto-server.js';

const SECRET_ID = 'consumer-test/signing-keys';
const WAIT = { timeout: 15_000, interval: 50 };

const RECORDING_CONSUMER = {
  entry: 'test/fixtures/recording-consumer.ts',
  handler: 'recordBatch',
  timeoutSeconds: 5,
};

/** Both routed queues consumed by the recording consumer. */
const RECORDED_ROUTING = {
  ...SAMPLE_ROUTING,
  queues: {
    ...SAMPLE_ROUTING.queues,
    volunteering: { fifo: true, consumer: RECORDING_CONSUMER },
    catalog: { consumer: RECORDING_CONSUMER },
  },
};

/** The shipped example: the example consumer on the FIFO queue. */
const EXAMPLE_ROUTING = {
  ...SAMPLE_ROUTING,
  queues: {
    ...SAMPLE_ROUTING.queues,
    volunteering: { fifo: true, consumer: {} },
  },
};

const moto = useMotoClients();
let relay: LocalRelay | undefined;
let outcomes: BatchOutcome[];

beforeAll(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

beforeEach(async () => {
  await moto.secrets().send(
    new CreateSecretCommand({
      Name: SECRET_ID,
      SecretString: TEST_KEYS_SECRET,
    }),
  );
  outcomes = [];
});

afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

async function startRelay(routing: object): Promise<LocalRelay> {
  relay = await startLocalRelay({
    cdkJsonPath: writeCdkJson(routing),
    port: 0,
    awsEndpointUrl: moto.server().endpoint,
    secretId: SECRET_ID,
    receiverLogLevel: 'SILENT',
    onConsume: (outcome) => outcomes.push(outcome),
  });
  return relay;
}

/** Signs a sample as VOMO would and posts it to the local webhook. */
async function postSample(target: LocalRelay, type: string): Promise<void> {
  const body = readSample(type);
  const answer = await fetch(target.url, {
    method: 'POST',
    headers: { 'vomo-signature': signBody(body, TEST_SIGNING_KEY) },
    body,
  });

  expect(answer.status).toBe(200);
}

/** Messages a queue still holds, visible or in flight. */
async function countMessages(queueUrl: string | undefined): Promise<number> {
  const { Attributes = {} } = await moto.sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

function receiveCountsOf(records: readonly RecordedRecord[]): string[] {
  return records.map(({ record }) => record.attributes.ApproximateReceiveCount);
}

/**
 * A failed record comes back once its visibility timeout runs out; a queue
 * that exists is left as it is, so one made with a short timeout keeps it.
 */
async function createQuickRetryQueue(): Promise<void> {
  await moto.sqs().send(
    new CreateQueueCommand({
      QueueName: 'catalog',
      Attributes: { VisibilityTimeout: '1' },
    }),
  );
}

describe('local mode with a consumer, on AWS_ENDPOINT_URL', () => {
  beforeEach(() => {
    resetRecorder();
  });

  it('hands a signed event to the consumer as a Lambda SQS record it reads typed', async () => {
    const started = await startRelay(RECORDED_ROUTING);
    const body = readSample('participation.created').toString();

    await postSample(started, 'participation.created');

    await vi.waitFor(() => expect(readRecorded()).toHaveLength(1), WAIT);
    const [{ record, read, functionName } = {} as RecordedRecord] =
      readRecorded();
    expect(record).toMatchObject({
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(/:volunteering\.fifo$/),
      awsRegion: 'us-east-1',
      attributes: {
        ApproximateReceiveCount: '1',
        MessageGroupId: '1:participation:123456',
        SentTimestamp: expect.stringMatching(/^\d+$/),
      },
      messageAttributes: {
        'vomo-type': {
          stringValue: 'participation.created',
          dataType: 'String',
        },
      },
    });
    expect(functionName).toBe('volunteering-consumer');
    if (!read.success || read.event.type !== 'participation.created') {
      throw new Error('the consumer could not read its record');
    }
    expect(read.event.data).toMatchObject({ id: 123456, user_id: 234567 });
    expect(read.metadata.organizationId).toBe(1);
  });

  it('deletes a record the consumer handled', async () => {
    const started = await startRelay(RECORDED_ROUTING);

    await postSample(started, 'project.created');

    await vi.waitFor(() => expect(outcomes).toHaveLength(1), WAIT);
    expect(outcomes[0]).toMatchObject({ queue: 'catalog', failed: 0 });
    expect(await countMessages(started.queueUrls.catalog)).toBe(0);
  });

  it.each<[string, FirstDeliveryPlan]>([
    ['reported as failed', 'report-failure'],
    ['in a batch whose handler threw', 'throw'],
  ])(
    'receives a record again when its first delivery is %s',
    async (_title, plan) => {
      resetRecorder(plan);
      await createQuickRetryQueue();
      const started = await startRelay(RECORDED_ROUTING);

      await postSample(started, 'project.created');

      await vi.waitFor(() => expect(readRecorded()).toHaveLength(2), WAIT);
      const [first, second] = readRecorded();
      expect(receiveCountsOf(readRecorded())).toEqual(['1', '2']);
      expect(second?.record.messageId).toBe(first?.record.messageId);
      expect(outcomes[0]).toMatchObject({ received: 1, failed: 1 });
      await vi.waitFor(() => expect(outcomes).toHaveLength(2), WAIT);
      expect(outcomes[1]).toMatchObject({ failed: 0 });
      expect(await countMessages(started.queueUrls.catalog)).toBe(0);
    },
  );

  it('keeps the events about one object in order on a FIFO queue', async () => {
    const started = await startRelay(RECORDED_ROUTING);

    await postSample(started, 'participation.created');
    await postSample(started, 'participation.updated');

    await vi.waitFor(() => expect(readRecorded()).toHaveLength(2), WAIT);
    const records = readRecorded().map(({ record }) => record);
    expect(
      records.map(
        (record) => record.messageAttributes['vomo-type']?.stringValue,
      ),
    ).toEqual(['participation.created', 'participation.updated']);
    expect(
      new Set(records.map((record) => record.attributes.MessageGroupId)),
    ).toEqual(new Set(['1:participation:123456']));
    for (const record of records) {
      expect(record.attributes).toMatchObject({
        SequenceNumber: expect.stringMatching(/^\d+$/),
        MessageDeduplicationId: createHash('sha256')
          .update(record.body)
          .digest('hex'),
      });
    }
  });

  it('names each running consumer and stops without waiting out a long poll', async () => {
    const started = await startRelay(RECORDED_ROUTING);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const stopping = Date.now();
    await started.stop();
    relay = undefined;

    expect(Date.now() - stopping).toBeLessThan((POLL_WAIT_SECONDS * 1000) / 2);
    expect(started.consumers).toEqual([
      expect.objectContaining({
        queue: 'volunteering',
        entry: RECORDING_CONSUMER.entry,
        handler: 'recordBatch',
      }),
      expect.objectContaining({ queue: 'catalog' }),
    ]);
  });
});

describe('local mode with the example consumer, on AWS_ENDPOINT_URL', () => {
  it('logs the typed fields of a participation at INFO', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', '');
    const lines: Record<string, unknown>[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      const text = String(chunk);
      if (text.startsWith('{')) {
        lines.push(JSON.parse(text));
        return true;
      }
      return write(chunk, ...(rest as []));
    });

    try {
      const started = await startRelay(EXAMPLE_ROUTING);
      await postSample(started, 'participation.created');

      await vi.waitFor(
        () =>
          expect(lines).toContainEqual(
            expect.objectContaining({ message: 'participation created' }),
          ),
        WAIT,
      );
    } finally {
      vi.restoreAllMocks();
    }

    expect(
      lines.find((line) => line.message === 'participation created'),
    ).toMatchObject({
      level: 'INFO',
      service: 'vomo-consumer',
      eventType: 'participation.created',
      organizationId: 1,
      participationId: 123456,
      userId: 234567,
      projectId: 78901,
      status: 'APPROVED',
      hours: '10.00',
    });
  });
});
