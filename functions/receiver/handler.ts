import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { inspectEvent, type VomoEnvelope } from '../../events/index.js';
import { createLogger, createMetrics } from '../telemetry.js';
import {
  answerAccepted,
  answerRejected,
  REJECTION_STATUS,
  type ReceiverAnswer,
  type RejectionReason,
} from './answers.js';
import { authenticate } from './authenticate.js';
import { SEND_DEADLINE_MS } from './aws-clients.js';
import {
  describeDelivery,
  forwardToQueues,
  type QueueTarget,
  type VerifiedDelivery,
} from './forward.js';
import { readEnvelope } from './read-envelope.js';
import {
  type IncomingRequest,
  type ReceiverEvent,
  readRequest,
} from './request.js';
import { createRouter, type Router, type RoutingTable } from './routes.js';
import { parseSignatureHeader } from './signature.js';
import {
  KeyStoreUnavailableError,
  type SigningKeyStore,
} from './signing-keys.js';

/**
 * SQS takes at most 1 MiB per message, attributes included; the attributes
 * the receiver adds stay well under the 4 KiB kept for them.
 */
export const MAX_BODY_BYTES = 1_048_576 - 4_096;

/** The `service` of the receiver's logs, and a dimension of its metrics. */
export const RECEIVER_SERVICE_NAME = 'vomo-receiver';

/** Metric names the receiver publishes; alarms are built on these. */
export const RECEIVER_METRIC = {
  received: 'Received',
  rejected: 'Rejected',
  unauthorized: 'Unauthorized',
  forwarded: 'Forwarded',
  sendFailed: 'SendFailed',
  unrouted: 'Unrouted',
  schemaDrift: 'SchemaDrift',
  keyStoreStale: 'KeyStoreStale',
} as const;

const DRIFT_PATHS_LOGGED = 20;

/** Everything the receiver needs; AWS clients are passed in, never made here. */
export interface ReceiverOptions {
  readonly routing: RoutingTable;
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly signingKeys: SigningKeyStore;
  readonly sqs: SQSClient;
  readonly maxBodyBytes?: number;
  readonly sendDeadlineMs?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
}

/** Handles one HTTP request from VOMO and answers it. */
export type ReceiverHandler = (event: ReceiverEvent) => Promise<ReceiverAnswer>;

interface Receiver {
  readonly route: Router;
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly signingKeys: SigningKeyStore;
  readonly sqs: SQSClient;
  readonly maxBodyBytes: number;
  readonly sendDeadlineMs: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

type Outcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: RejectionReason };

const ACCEPTED: Outcome = { accepted: true };

/**
 * Builds the receiver: verify the raw bytes, route by organization and type,
 * forward to every matching queue, and answer 200 only once all sends worked.
 */
export function createReceiver(options: ReceiverOptions): ReceiverHandler {
  assertQueuesHaveUrls(options.routing, options.queueUrls);

  const receiver: Receiver = {
    route: createRouter(options.routing),
    queueUrls: options.queueUrls,
    signingKeys: options.signingKeys,
    sqs: options.sqs,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    sendDeadlineMs: options.sendDeadlineMs ?? SEND_DEADLINE_MS,
    logger: options.logger ?? createLogger(RECEIVER_SERVICE_NAME),
    metrics: options.metrics ?? createMetrics(RECEIVER_SERVICE_NAME),
    now: options.now ?? (() => new Date()),
  };

  return async (event) => {
    let scoped = receiver;
    let outcome: Outcome;
    try {
      const request = readRequest(event);
      scoped = withRequestId(receiver, request.requestId);
      outcome = await receive(scoped, request);
    } catch (error) {
      scoped.logger.error('unexpected failure', { cause: nameOf(error) });
      outcome = reject('internal-error');
    }

    record(scoped, outcome);
    return outcome.accepted ? answerAccepted() : answerRejected(outcome.reason);
  };
}

// Every line of one request carries its id, which the API's access log and
// the forwarded message's attributes carry too.
function withRequestId(receiver: Receiver, requestId: string): Receiver {
  const logger = receiver.logger.createChild({
    persistentKeys: { requestId },
  });
  return { ...receiver, logger };
}

/**
 * Reports that the key store could not be read again and an older copy
 * keeps serving: keys changed since then are not seen until it recovers.
 */
export function reportStaleKeys(
  logger: Logger,
  metrics: Metrics,
  error: unknown,
): void {
  logger.warn('signing keys could not be read again; the last copy serves', {
    cause: nameOf(error),
  });
  metrics.addMetric(RECEIVER_METRIC.keyStoreStale, MetricUnit.Count, 1);
}

async function receive(
  receiver: Receiver,
  request: IncomingRequest,
): Promise<Outcome> {
  if (request.method !== 'POST') {
    return reject('method-not-allowed');
  }

  if (request.body.length > receiver.maxBodyBytes) {
    return reject('body-too-large');
  }

  const signature = parseSignatureHeader(request.signature);
  if (!signature.success) {
    return reject(signature.reason);
  }

  const read = readEnvelope(request.body);
  if (!read.success) {
    if (read.issues) {
      receiver.logger.warn('envelope invalid', { issues: read.issues });
    }
    return reject(read.reason);
  }

  const { envelope } = read;
  const failure = await verify(receiver, envelope, request.body, signature);
  if (failure !== undefined) {
    return reject(failure);
  }

  reportDrift(receiver, envelope);
  const delivery = describeDelivery(
    envelope,
    read.text,
    request.requestId,
    receiver.now(),
  );
  const targets = chooseTargets(receiver, delivery);
  return forward(receiver, delivery, targets);
}

async function verify(
  receiver: Receiver,
  envelope: VomoEnvelope,
  body: Buffer,
  signature: { digest: Buffer },
): Promise<RejectionReason | undefined> {
  try {
    return await authenticate(
      receiver.signingKeys,
      envelope.organization_id,
      body,
      signature.digest,
    );
  } catch (error) {
    if (error instanceof KeyStoreUnavailableError) {
      receiver.logger.error('signing keys unavailable', {
        cause: nameOf(error.cause),
      });
      return 'key-store-unavailable';
    }
    throw error;
  }
}

function reportDrift(receiver: Receiver, envelope: VomoEnvelope): void {
  const { drift } = inspectEvent(envelope);
  if (drift.length === 0) {
    return;
  }

  receiver.metrics.addMetric(RECEIVER_METRIC.schemaDrift, MetricUnit.Count, 1);
  receiver.logger.warn('event data differs from its known shape', {
    type: envelope.type,
    organizationId: envelope.organization_id,
    paths: drift.slice(0, DRIFT_PATHS_LOGGED),
  });
}

function chooseTargets(
  receiver: Receiver,
  delivery: VerifiedDelivery,
): QueueTarget[] {
  const { queues, matched } = receiver.route(
    delivery.organizationId,
    delivery.type,
  );

  if (!matched) {
    receiver.metrics.addMetric(RECEIVER_METRIC.unrouted, MetricUnit.Count, 1);
    receiver.logger.warn('no route matches the event', {
      type: delivery.type,
      organizationId: delivery.organizationId,
      fallback: queues[0] ?? 'none',
    });
  }

  return queues.map((key) => ({ key, url: receiver.queueUrls[key] ?? '' }));
}

async function forward(
  receiver: Receiver,
  delivery: VerifiedDelivery,
  targets: readonly QueueTarget[],
): Promise<Outcome> {
  const { failed } = await forwardToQueues(
    receiver.sqs,
    delivery,
    targets,
    receiver.sendDeadlineMs,
  );

  for (const target of targets) {
    const failure = failed.find((entry) => entry.key === target.key);
    const metric = failure
      ? RECEIVER_METRIC.sendFailed
      : RECEIVER_METRIC.forwarded;
    countWithDimension(receiver, metric, 'Queue', target.key);

    if (failure) {
      receiver.logger.error('send to queue failed', {
        queue: target.key,
        cause: nameOf(failure.error),
      });
    }
  }

  if (failed.length > 0) {
    return reject('queue-unavailable');
  }

  if (targets.length === 0) {
    return ACCEPTED;
  }

  receiver.logger.info('event forwarded', {
    type: delivery.type,
    organizationId: delivery.organizationId,
    queues: targets.map((target) => target.key),
    bytes: Buffer.byteLength(delivery.body),
  });
  return ACCEPTED;
}

function record(receiver: Receiver, outcome: Outcome): void {
  const { logger, metrics } = receiver;
  metrics.addMetric(RECEIVER_METRIC.received, MetricUnit.Count, 1);

  if (!outcome.accepted) {
    logger.warn('request rejected', { reason: outcome.reason });
    countWithDimension(
      receiver,
      RECEIVER_METRIC.rejected,
      'Reason',
      outcome.reason,
    );

    if (REJECTION_STATUS[outcome.reason] === 401) {
      metrics.addMetric(RECEIVER_METRIC.unauthorized, MetricUnit.Count, 1);
    }
  }

  metrics.publishStoredMetrics();
}

// A metric with its own dimension goes out at once, beside the buffered ones.
function countWithDimension(
  receiver: Receiver,
  metric: string,
  dimension: string,
  value: string,
): void {
  receiver.metrics
    .singleMetric()
    .addDimension(dimension, value)
    .addMetric(metric, MetricUnit.Count, 1);
}

function reject(reason: RejectionReason): Outcome {
  return { accepted: false, reason };
}

function assertQueuesHaveUrls(
  routing: RoutingTable,
  queueUrls: Readonly<Record<string, string>>,
): void {
  const named = Object.values(routing.organizations).flatMap((routes) =>
    routes.map((route) => route.queue),
  );
  if (routing.unrouted !== undefined) {
    named.push(routing.unrouted);
  }

  const missing = [...new Set(named)].filter((key) => !queueUrls[key]);
  if (missing.length > 0) {
    throw new Error(`no queue URL for routed queue(s): ${missing.join(', ')}`);
  }
}

// Only the error's class travels to the logs: messages of AWS errors can
// quote request parameters, and those include the body.
function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
