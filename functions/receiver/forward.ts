import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  describeEventType,
  hashBody,
  MESSAGE_ATTRIBUTE,
  type VomoEnvelope,
} from '../../events/index.js';
import { withDeadline } from './deadline.js';

/** What the receiver learned about one verified delivery. */
export interface VerifiedDelivery {
  readonly body: string;
  readonly bodySha256: string;
  readonly type: string;
  readonly organizationId: number;
  readonly object: string;
  readonly action: string;
  readonly isPublic: boolean;
  readonly objectId: string | undefined;
  readonly receivedAt: Date;
  readonly requestId: string;
}

/** A queue to send to: its configured key and its URL. */
export interface QueueTarget {
  readonly key: string;
  readonly url: string;
}

/** Which sends failed; empty when every queue took the message. */
export interface ForwardResult {
  readonly failed: readonly { key: string; error: unknown }[];
}

const GROUP_ID_PART = /[^A-Za-z0-9_.-]/g;
const GROUP_ID_PART_MAX = 40;

/** What gets forwarded about a verified envelope whose body is `body`. */
export function describeDelivery(
  envelope: VomoEnvelope,
  body: string,
  requestId: string,
  receivedAt: Date,
): VerifiedDelivery {
  const id = envelope.data.id;

  return {
    ...describeEventType(envelope.type),
    body,
    bodySha256: hashBody(body),
    type: envelope.type,
    organizationId: envelope.organization_id,
    objectId:
      typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    receivedAt,
    requestId,
  };
}

/** FIFO queues need the `.fifo` suffix, so the URL tells the queue's kind. */
export function isFifoQueueUrl(url: string): boolean {
  return url.endsWith('.fifo');
}

/**
 * Keeps events about one object in order on a FIFO queue while unrelated
 * objects flow in parallel groups.
 */
export function groupIdOf(delivery: VerifiedDelivery): string {
  const parts = [
    String(delivery.organizationId),
    delivery.object,
    delivery.objectId ?? '-',
  ];
  return parts
    .map((part) => part.replace(GROUP_ID_PART, '_').slice(0, GROUP_ID_PART_MAX))
    .join(':');
}

/** The SendMessage input for one queue: raw body, attributes, FIFO ids. */
export function buildMessage(
  delivery: VerifiedDelivery,
  queueUrl: string,
): SendMessageCommandInput {
  const message: SendMessageCommandInput = {
    QueueUrl: queueUrl,
    MessageBody: delivery.body,
    MessageAttributes: buildAttributes(delivery),
  };

  if (isFifoQueueUrl(queueUrl)) {
    // VOMO retries byte-for-byte within SQS's five-minute window, so the
    // body's hash makes a retried delivery a duplicate SQS drops.
    message.MessageGroupId = groupIdOf(delivery);
    message.MessageDeduplicationId = delivery.bodySha256;
  }

  return message;
}

/** Sends one delivery to every target at once; never throws. */
export async function forwardToQueues(
  sqs: SQSClient,
  delivery: VerifiedDelivery,
  targets: readonly QueueTarget[],
  deadlineMs: number,
): Promise<ForwardResult> {
  const sends = targets.map((target) =>
    withDeadline(deadlineMs, (abortSignal) =>
      sqs.send(new SendMessageCommand(buildMessage(delivery, target.url)), {
        abortSignal,
      }),
    ),
  );
  const results = await Promise.allSettled(sends);

  const failed = results.flatMap((result, index) =>
    result.status === 'rejected'
      ? [{ key: targets[index]?.key ?? '', error: result.reason }]
      : [],
  );
  return { failed };
}

function buildAttributes(
  delivery: VerifiedDelivery,
): Record<string, MessageAttributeValue> {
  return {
    [MESSAGE_ATTRIBUTE.type]: text(delivery.type),
    [MESSAGE_ATTRIBUTE.organizationId]: {
      DataType: 'Number',
      StringValue: String(delivery.organizationId),
    },
    [MESSAGE_ATTRIBUTE.object]: text(delivery.object),
    [MESSAGE_ATTRIBUTE.action]: text(delivery.action),
    [MESSAGE_ATTRIBUTE.isPublic]: text(String(delivery.isPublic)),
    [MESSAGE_ATTRIBUTE.bodySha256]: text(delivery.bodySha256),
    [MESSAGE_ATTRIBUTE.receivedAt]: text(delivery.receivedAt.toISOString()),
    [MESSAGE_ATTRIBUTE.requestId]: text(delivery.requestId),
  };
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}
