import { randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  describeEventType,
  hashBody,
  inspectEvent,
  parseEnvelope,
  type VomoEnvelope,
} from '../../events/index.js';
import { createLogger, createMetrics } from '../telemetry.js';
import {
  answerAccepted,
  answerRejected,
  REJECTION_STATUS,
  type ReceiverAnswer,
  type RejectionReason,
} from './answers.js';
import { SEND_DEADLINE_MS } from './aws-clients.js';
import {
  forwardToQueues,
  type QueueTarget,
  type VerifiedDelivery,
} from './forward.js';
import { type ReceiverEvent, readRequest } from './request.js';
import { createRouter, type RoutingTable } from './routes.js';
import { parseSignatureHeader, verifySignature } from './signature.js';
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
} as const;

const DRIFT_PATHS_LOGGED = 20;

const DECOY_KEY = randomBytes(32).toString('hex');

// SQS refuses a few code points that JSON allows unescaped in strings.
const UNSENDABLE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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

type Outcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: RejectionReason };

type EnvelopeRead =
  | { readonly success: true; envelope: VomoEnvelope; text: string }
  | { readonly success: false; reason: RejectionReason };

const ACCEPTED: Outcome = { accepted: true };

/**
 * Builds the receiver: verify the raw bytes, route by organization and type,
 * forward to every matching queue, and answer 200 only once all sends worked.
 */
export function createReceiver(options: ReceiverOptions): ReceiverHandler {
  assertQueuesHaveUrls(options.routing, options.queueUrls);

  const route = createRouter(options.routing);
  const logger = options.logger ?? createLogger(RECEIVER_SERVICE_NAME);
  const metrics = options.metrics ?? createMetrics(RECEIVER_SERVICE_NAME);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const sendDeadlineMs = options.sendDeadlineMs ?? SEND_DEADLINE_MS;
  const now = options.now ?? (() => new Date());

  async function receive(event: ReceiverEvent): Promise<Outcome> {
    const request = readRequest(event);

    if (request.method !== 'POST') {
      return reject('method-not-allowed');
    }

    if (request.body.length > maxBodyBytes) {
      return reject('body-too-large');
    }

    const signature = parseSignatureHeader(request.signature);
    if (!signature.success) {
      return reject(signature.reason);
    }

    const read = readEnvelope(request.body);
    if (!read.success) {
      return reject(read.reason);
    }

    const { envelope } = read;
    const failure = await authenticate(
      envelope,
      request.body,
      signature.digest,
    );
    if (failure !== undefined) {
      return reject(failure);
    }

    const delivery = describeDelivery(envelope, read.text, request.requestId);
    const targets = chooseTargets(delivery);
    return forward(delivery, targets);
  }

  function readEnvelope(body: Buffer): EnvelopeRead {
    let text: string;
    let json: unknown;
    try {
      text = utf8.decode(body);
      json = JSON.parse(text);
    } catch {
      return { success: false, reason: 'body-not-json' };
    }

    const parsed = parseEnvelope(json);
    if (!parsed.success) {
      logger.warn('envelope invalid', { issues: parsed.issues });
      return { success: false, reason: 'envelope-invalid' };
    }

    if (UNSENDABLE.test(text)) {
      return { success: false, reason: 'body-not-sendable' };
    }

    return { success: true, envelope: parsed.envelope, text };
  }

  async function authenticate(
    envelope: VomoEnvelope,
    body: Buffer,
    digest: Buffer,
  ): Promise<RejectionReason | undefined> {
    const organizationId = envelope.organization_id;

    const check = async (): Promise<RejectionReason | undefined> => {
      const keys = await options.signingKeys.keysFor(organizationId);

      // An unknown organization costs the same HMAC as a known one, so the
      // time of a 401 does not tell which organization ids exist.
      const matches = verifySignature(body, digest, keys ?? [DECOY_KEY]);
      if (keys === undefined) {
        return 'organization-unknown';
      }
      return matches ? undefined : 'signature-mismatch';
    };

    try {
      const failure = await check();

      // A new organization or a rotated key may be in the store already;
      // the store limits how often a miss can force it to be read.
      if (failure !== undefined && (await options.signingKeys.refresh())) {
        return await check();
      }

      return failure;
    } catch (error) {
      if (error instanceof KeyStoreUnavailableError) {
        logger.error('signing keys unavailable', {
          cause: nameOf(error.cause),
        });
        return 'key-store-unavailable';
      }
      throw error;
    }
  }

  function describeDelivery(
    envelope: VomoEnvelope,
    body: string,
    requestId: string,
  ): VerifiedDelivery {
    const { drift } = inspectEvent(envelope);
    if (drift.length > 0) {
      metrics.addMetric(RECEIVER_METRIC.schemaDrift, MetricUnit.Count, 1);
      logger.warn('event data differs from its known shape', {
        type: envelope.type,
        organizationId: envelope.organization_id,
        paths: drift.slice(0, DRIFT_PATHS_LOGGED),
      });
    }

    const id = envelope.data.id;
    return {
      ...describeEventType(envelope.type),
      body,
      bodySha256: hashBody(body),
      type: envelope.type,
      organizationId: envelope.organization_id,
      objectId:
        typeof id === 'string' || typeof id === 'number'
          ? String(id)
          : undefined,
      receivedAt: now(),
      requestId,
    };
  }

  function chooseTargets(delivery: VerifiedDelivery): QueueTarget[] {
    const { queues, matched } = route(delivery.organizationId, delivery.type);

    if (!matched) {
      metrics.addMetric(RECEIVER_METRIC.unrouted, MetricUnit.Count, 1);
      logger.warn('no route matches the event', {
        type: delivery.type,
        organizationId: delivery.organizationId,
        fallback: queues[0] ?? 'none',
      });
    }

    return queues.map((key) => ({ key, url: options.queueUrls[key] ?? '' }));
  }

  async function forward(
    delivery: VerifiedDelivery,
    targets: readonly QueueTarget[],
  ): Promise<Outcome> {
    const { failed } = await forwardToQueues(
      options.sqs,
      delivery,
      targets,
      sendDeadlineMs,
    );

    for (const target of targets) {
      const failure = failed.find((entry) => entry.key === target.key);
      countForQueue(
        failure ? RECEIVER_METRIC.sendFailed : RECEIVER_METRIC.forwarded,
        target.key,
      );
      if (failure) {
        logger.error('send to queue failed', {
          queue: target.key,
          cause: nameOf(failure.error),
        });
      }
    }

    if (failed.length > 0) {
      return reject('queue-unavailable');
    }

    logger.info('event forwarded', {
      type: delivery.type,
      organizationId: delivery.organizationId,
      queues: targets.map((target) => target.key),
      bytes: Buffer.byteLength(delivery.body),
    });
    return ACCEPTED;
  }

  function reject(reason: RejectionReason): Outcome {
    return { accepted: false, reason };
  }

  function countForQueue(metric: string, queue: string): void {
    metrics
      .singleMetric()
      .addDimension('Queue', queue)
      .addMetric(metric, MetricUnit.Count, 1);
  }

  function record(outcome: Outcome): void {
    metrics.addMetric(RECEIVER_METRIC.received, MetricUnit.Count, 1);

    if (!outcome.accepted) {
      logger.warn('request rejected', { reason: outcome.reason });
      metrics
        .singleMetric()
        .addDimension('Reason', outcome.reason)
        .addMetric(RECEIVER_METRIC.rejected, MetricUnit.Count, 1);
    }

    if (!outcome.accepted && isUnauthorized(outcome.reason)) {
      metrics.addMetric(RECEIVER_METRIC.unauthorized, MetricUnit.Count, 1);
    }

    metrics.publishStoredMetrics();
  }

  return async (event) => {
    let outcome: Outcome;
    try {
      outcome = await receive(event);
    } catch (error) {
      logger.error('unexpected failure', { cause: nameOf(error) });
      outcome = reject('internal-error');
    }

    record(outcome);
    return outcome.accepted ? answerAccepted() : answerRejected(outcome.reason);
  };
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

function isUnauthorized(reason: RejectionReason): boolean {
  return REJECTION_STATUS[reason] === 401;
}

// Only the error's class travels to the logs: messages of AWS errors can
// quote request parameters, and those include the body.
function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
