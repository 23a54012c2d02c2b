import { hashBody, isSha256Hex } from './body-integrity.js';
import { inspectEvent, type VomoEvent } from './catalogue.js';
import {
  describeEventType,
  parseEnvelopeText,
  type VomoEnvelope,
} from './envelope.js';
import { MESSAGE_ATTRIBUTE } from './message-attributes.js';

/** A record of a Lambda SQS event; `SQSRecord` of `aws-lambda` fits. */
export interface LambdaQueueRecord {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes?: Readonly<
    Record<string, { readonly stringValue?: string | undefined }>
  >;
}

/** A message from the SDK's ReceiveMessage; `Message` of the SDK fits. */
export interface SdkQueueMessage {
  readonly MessageId?: string | undefined;
  readonly Body?: string | undefined;
  readonly MessageAttributes?:
    | Readonly<Record<string, { readonly StringValue?: string | undefined }>>
    | undefined;
}

/** A queued VOMO event as either a Lambda trigger or an SDK poller sees it. */
export type QueueRecord = LambdaQueueRecord | SdkQueueMessage;

/** What the receiver learned about a delivery, read back from the record. */
export interface RecordMetadata {
  organizationId: number;
  type: string;
  object: string;
  action: string;
  isPublic: boolean;
  /** Lowercase hex SHA-256 of the body: the same delivery, the same hash. */
  bodySha256: string;
  receivedAt: Date | undefined;
  /** The id of the webhook request that brought the event, for log search. */
  requestId: string | undefined;
  messageId: string | undefined;
}

/** Every way a record can fail to read, in the order they are checked. */
export const RECORD_ERROR_CODES = [
  'body-missing',
  'attribute-missing',
  'attribute-invalid',
  'body-hash-mismatch',
  'body-not-json',
  'envelope-invalid',
  'attribute-mismatch',
] as const;

/** One of {@link RECORD_ERROR_CODES}. */
export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

/** Why a record was not read; the message names fields, never values. */
export interface RecordError {
  code: RecordErrorCode;
  message: string;
}

/** The outcome of {@link readVomoRecord}. */
export type ReadRecordResult =
  | {
      success: true;
      event: VomoEvent;
      metadata: RecordMetadata;
      drift: string[];
    }
  | { success: false; error: RecordError };

interface FlatRecord {
  body: string | undefined;
  messageId: string | undefined;
  attribute: (name: string) => string | undefined;
}

interface RequiredAttributes {
  type: string;
  organizationId: number;
  bodySha256: string;
}

type Failure = { success: false; error: RecordError };

const POSITIVE_INTEGER = /^[1-9]\d*$/;

/**
 * Reads a queued VOMO event from an SQS record, never throwing. The body must
 * hash to its `vomo-body-sha256` attribute: that catches a changed body or a
 * message sent by something else by mistake, though not a forgery, since
 * anyone allowed to send to the queue can compute a hash. `drift` lists data
 * paths that do not fit the event's known type.
 */
export function readVomoRecord(record: QueueRecord): ReadRecordResult {
  const { body, messageId, attribute } = flattenRecord(record);

  if (body === undefined) {
    return fail('body-missing', 'the record has no body');
  }

  const required = readRequiredAttributes(attribute);

  if (!required.success) {
    return required;
  }

  const expected = required.attributes;

  if (hashBody(body) !== expected.bodySha256) {
    return fail(
      'body-hash-mismatch',
      `the body does not hash to attribute ${MESSAGE_ATTRIBUTE.bodySha256}`,
    );
  }

  const read = parseBody(body);

  if (!read.success) {
    return read;
  }

  const { envelope } = read;

  if (envelope.type !== expected.type) {
    return failMismatch(MESSAGE_ATTRIBUTE.type, 'type');
  }
  if (envelope.organization_id !== expected.organizationId) {
    return failMismatch(MESSAGE_ATTRIBUTE.organizationId, 'organization_id');
  }

  const { event, drift } = inspectEvent(envelope);
  const metadata: RecordMetadata = {
    ...describeEventType(envelope.type),
    ...expected,
    receivedAt: parseDate(attribute(MESSAGE_ATTRIBUTE.receivedAt)),
    requestId: attribute(MESSAGE_ATTRIBUTE.requestId),
    messageId,
  };
  return { success: true, event, metadata, drift };
}

function flattenRecord(record: QueueRecord): FlatRecord {
  if ('body' in record) {
    const attributes = record.messageAttributes ?? {};
    return {
      body: record.body,
      messageId: record.messageId,
      attribute: (name) => attributes[name]?.stringValue || undefined,
    };
  }

  const attributes = record.MessageAttributes ?? {};
  return {
    body: record.Body,
    messageId: record.MessageId,
    attribute: (name) => attributes[name]?.StringValue || undefined,
  };
}

function readRequiredAttributes(
  attribute: FlatRecord['attribute'],
): { success: true; attributes: RequiredAttributes } | Failure {
  const type = attribute(MESSAGE_ATTRIBUTE.type);
  const organizationId = attribute(MESSAGE_ATTRIBUTE.organizationId);
  const bodySha256 = attribute(MESSAGE_ATTRIBUTE.bodySha256);

  if (type === undefined) {
    return failMissing(MESSAGE_ATTRIBUTE.type);
  }
  if (organizationId === undefined) {
    return failMissing(MESSAGE_ATTRIBUTE.organizationId);
  }
  if (bodySha256 === undefined) {
    return failMissing(MESSAGE_ATTRIBUTE.bodySha256);
  }

  if (!POSITIVE_INTEGER.test(organizationId)) {
    return failInvalid(MESSAGE_ATTRIBUTE.organizationId, 'positive integer');
  }
  if (!isSha256Hex(bodySha256)) {
    return failInvalid(MESSAGE_ATTRIBUTE.bodySha256, 'SHA-256 in hex');
  }

  return {
    success: true,
    attributes: {
      type,
      organizationId: Number(organizationId),
      bodySha256: bodySha256.toLowerCase(),
    },
  };
}

function parseBody(
  body: string,
): { success: true; envelope: VomoEnvelope } | Failure {
  const parsed = parseEnvelopeText(body);

  if (parsed.success) {
    return parsed;
  }
  return parsed.problem === 'not-json'
    ? fail('body-not-json', 'the body is not valid JSON')
    : fail('envelope-invalid', parsed.issues.join('; '));
}

function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) {
    return undefined;
  }

  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fail(code: RecordErrorCode, message: string): Failure {
  return { success: false, error: { code, message } };
}

function failMissing(name: string): Failure {
  return fail('attribute-missing', `attribute ${name} is missing`);
}

function failInvalid(name: string, expected: string): Failure {
  return fail('attribute-invalid', `attribute ${name} must be a ${expected}`);
}

function failMismatch(name: string, field: string): Failure {
  return fail(
    'attribute-mismatch',
    `attribute ${name} differs from the envelope's ${field}`,
  );
}
