import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type LocalRelay,
  type LocalRelayOptions,
  startLocalRelay,
} from '../../local/local-relay.js';
import { createEmbeddedSqsClient } from '../fixtures/embedded-sqs.js';
import { useForFile } from '../fixtures/file-scope.js';
import { TEST_SIGNING_KEY } from '../fixtures/keys.js';
import { SAMPLE_ROUTING, writeCdkJson } from '../fixtures/relay-config.js';

// A relay that kept queueing would otherwise keep a drain going forever.
const MAX_RECEIVE_ROUNDS = 100;

/** A local relay on its embedded queues, and an SQS client on them. */
export interface EmbeddedRelay {
  relay(): LocalRelay;
  sqs(): SQSClient;
}

/**
 * Starts one local relay for the calling test file: SAMPLE_ROUTING, the test
 * key, the webhook and the embedded queues on free ports, then `options`.
 * Read `relay()` and `sqs()` in tests.
 */
export function useEmbeddedRelay(
  options: LocalRelayOptions = {},
): EmbeddedRelay {
  const relay = useForFile(
    () =>
      startLocalRelay({
        cdkJsonPath: writeCdkJson(SAMPLE_ROUTING),
        port: 0,
        sqsPort: 0,
        signingKey: TEST_SIGNING_KEY,
        ...options,
      }),
    (started) => started.stop(),
  );
  const sqs = useForFile(
    () => createEmbeddedSqsClient(relay().sqsEndpoint),
    (client) => client.destroy(),
  );

  return { relay, sqs };
}

/** Takes every message off a queue, with all its attributes. */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
): Promise<Message[]> {
  const messages: Message[] = [];

  for (let round = 0; round < MAX_RECEIVE_ROUNDS; round += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      break;
    }

    for (const message of Messages) {
      messages.push(message);
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    }
  }

  return messages;
}

/** Drains every queue at once: what each held, by queue key. */
export async function drainQueues(
  sqs: SQSClient,
  queueUrls: Readonly<Record<string, string>>,
): Promise<Record<string, Message[]>> {
  const entries = await Promise.all(
    Object.entries(queueUrls).map(
      async ([key, url]) => [key, await drainQueue(sqs, url)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/** Every queued body, whatever its queue; the queues are left empty. */
export async function drainBodies(
  sqs: SQSClient,
  queueUrls: Readonly<Record<string, string>>,
): Promise<string[]> {
  const drained = await drainQueues(sqs, queueUrls);
  return Object.values(drained)
    .flat()
    .map((message) => message.Body ?? '');
}
