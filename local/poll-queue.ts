/**
 * Reads VOMO events from one queue outside Lambda and prints a line for each:
 *
 *   npx tsx local/poll-queue.ts --queue-url <url> [--endpoint <url>]
 *
 * The endpoint comes from --endpoint, else AWS_ENDPOINT_URL, else the queue
 * URL itself (a `*.localhost` one meaning 127.0.0.1). Copy this file as the
 * start of a consumer on a server.
 */
import { parseArgs } from 'node:util';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import {
  type ReadRecordResult,
  readVomoRecord,
  type VomoEvent,
} from '../events/index.js';

const DEFAULT_REGION = 'us-east-1';

// A queue server on this machine (the embedded one of `npm start`) checks no
// signature, and a developer may have no AWS credentials at all.
const LOOPBACK_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|\[::1\]|(?:.+\.)?localhost)$/;

// AWS and the embedded server both name queue hosts `sqs.<region>.<domain>`.
const QUEUE_HOST_REGION = /^sqs\.([a-z0-9-]+)\./;

const USAGE =
  'Usage: npx tsx local/poll-queue.ts --queue-url <url> ' +
  '[--endpoint <url>] [--region <region>]';

interface PollOptions {
  readonly queueUrl: string;
  readonly endpoint: string | undefined;
  readonly region: string;
}

main();

function main(): void {
  let options: PollOptions;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }

  const consumer = Consumer.create({
    queueUrl: options.queueUrl,
    sqs: createClient(options),
    // The receiver's attributes carry the body hash the reader checks.
    messageAttributeNames: ['All'],
    // One message at a time keeps each FIFO message group in order.
    batchSize: 1,
    suppressFifoWarning: true,
    handleMessage: async (message) => handleMessage(message),
  });

  consumer.on('error', (error) => {
    console.error(`queue error: ${error.message}`);
  });
  consumer.on('processing_error', (error, message) => {
    console.error(`left on the queue: ${message.MessageId} (${error.message})`);
  });

  process.once('SIGINT', () => consumer.stop({ abort: true }));
  consumer.on('stopped', () => process.exit(0));

  console.log(`Polling ${options.queueUrl}; Ctrl-C stops.`);
  consumer.start();
}

/**
 * Deletes a message once its event is read; an unreadable one is left for
 * the queue's redrive policy, which parks it in the dead-letter queue.
 */
async function handleMessage(message: Message): Promise<Message> {
  const read: ReadRecordResult = readVomoRecord(message);

  if (!read.success) {
    throw new Error(`unreadable: ${read.error.code}: ${read.error.message}`);
  }

  const { event, metadata, drift } = read;
  const parts = [
    metadata.type,
    `organization ${metadata.organizationId}`,
    describeEvent(event),
    `message ${metadata.messageId}`,
  ];
  if (drift.length > 0) {
    parts.push(`drift at ${drift.join(', ')}`);
  }

  console.log(parts.join('  '));
  return message;
}

function describeEvent(event: VomoEvent): string {
  if (!event.known) {
    return 'of a type this catalogue does not know';
  }

  switch (event.type) {
    case 'participation.created':
    case 'participation.updated':
    case 'participation.deleted':
      return `participation ${event.data.id} of user ${event.data.user_id}, ${event.data.status}`;
    case 'campaign.created':
    case 'campaign.updated':
    case 'campaign.deleted':
    case 'campaign.public.created':
    case 'campaign.public.updated':
    case 'campaign.public.deleted':
      return `campaign ${event.data.id}`;
    default:
      return `project ${event.data.id}, draft: ${event.data.draft}`;
  }
}

function readOptions(args: string[], env: NodeJS.ProcessEnv): PollOptions {
  const { values } = parseArgs({
    args,
    options: {
      'queue-url': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
    },
  });

  const queueUrl = values['queue-url'];
  if (queueUrl === undefined) {
    throw new Error('--queue-url is required');
  }

  return {
    queueUrl,
    endpoint:
      values.endpoint ?? (env.AWS_ENDPOINT_URL || undefined) ?? local(queueUrl),
    region: values.region ?? env.AWS_REGION ?? regionOf(queueUrl),
  };
}

function createClient(options: PollOptions): SQSClient {
  const host = new URL(options.endpoint ?? options.queueUrl).hostname;

  return new SQSClient({
    region: options.region,
    ...(options.endpoint !== undefined && {
      endpoint: options.endpoint,
      useQueueUrlAsEndpoint: false,
    }),
    ...(LOOPBACK_HOST.test(host) && { credentials: LOOPBACK_CREDENTIALS }),
  });
}

// The embedded server names queue hosts `sqs.<region>.localhost`, which not
// every resolver maps to this machine.
function local(queueUrl: string): string | undefined {
  const url = new URL(queueUrl);

  if (!url.hostname.endsWith('.localhost')) {
    return undefined;
  }
  return `${url.protocol}//127.0.0.1:${url.port}`;
}

function regionOf(queueUrl: string): string {
  const match = QUEUE_HOST_REGION.exec(new URL(queueUrl).hostname);
  return match?.[1] ?? DEFAULT_REGION;
}
