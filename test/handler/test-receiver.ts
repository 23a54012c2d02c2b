import {
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import {
  createReceiver,
  type ReceiverOptions,
} from '../../functions/receiver/handler.js';
import type { RoutingTable } from '../../functions/receiver/routes.js';
import { createSigningKeyStore } from '../../functions/receiver/signing-keys.js';
import { createLogger, createMetrics } from '../../functions/telemetry.js';
import { TEST_KEYS_SECRET } from '../fixtures/keys.js';

/** The service the test receiver's logs and metrics name. */
export const TEST_SERVICE_NAME = 'vomo-receiver';

/** How long the test receiver waits for SQS before it gives up. */
export const TEST_SEND_DEADLINE_MS = 50;

const QUEUE_BASE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012';

/** The queues the test receiver sends to; `catalog` is a FIFO queue. */
export const TEST_QUEUE_URLS = {
  catalog: `${QUEUE_BASE_URL}/catalog.fifo`,
  audit: `${QUEUE_BASE_URL}/audit`,
  volunteering: `${QUEUE_BASE_URL}/volunteering`,
  partner: `${QUEUE_BASE_URL}/partner`,
  unrouted: `${QUEUE_BASE_URL}/unrouted`,
};

/** Two organizations' routes, one of them fanning deletions out to audit. */
export const TEST_ROUTING: RoutingTable = {
  organizations: {
    '1': [
      { events: ['participation.*'], queue: 'volunteering' },
      { events: ['project.*', 'campaign.*'], queue: 'catalog' },
      { events: ['*.deleted'], queue: 'audit' },
    ],
    '2': [{ events: ['project.*', 'volunteer_hours.*'], queue: 'partner' }],
  },
  unrouted: 'unrouted',
};

/** The time the test receiver stamps on each message it sends. */
export const TEST_RECEIVED_AT = new Date('2024-01-15T12:00:01.000Z');

/** Stands in for every SQS client of the importing test file. */
export const sqsMock = mockClient(SQSClient);

/**
 * A receiver of TEST_ROUTING over a real key store whose source and clock
 * the test drives; `overrides` replace any of its options.
 */
export function createTestReceiver(overrides: Partial<ReceiverOptions> = {}) {
  const clock = { now: 0 };
  const keys = { secret: TEST_KEYS_SECRET, failure: undefined as unknown };
  const source = vi.fn(async () => {
    if (keys.failure !== undefined) {
      throw keys.failure;
    }
    return keys.secret;
  });

  const handler = createReceiver({
    routing: TEST_ROUTING,
    queueUrls: TEST_QUEUE_URLS,
    signingKeys: createSigningKeyStore({ source, now: () => clock.now }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
    sendDeadlineMs: TEST_SEND_DEADLINE_MS,
    logger: createLogger(TEST_SERVICE_NAME),
    metrics: createMetrics(TEST_SERVICE_NAME),
    now: () => TEST_RECEIVED_AT,
    ...overrides,
  });

  return { handler, source, keys, clock };
}

/** Every message sent through the mocked client, in order. */
export function sentMessages(): SendMessageCommandInput[] {
  return sqsMock
    .commandCalls(SendMessageCommand)
    .map((call) => call.args[0].input);
}
