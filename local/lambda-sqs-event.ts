import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import type {
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

/**
 * The system attributes a Lambda SQS trigger puts on each record; a receive
 * asks for these so a local record carries the same ones.
 */
export const RECORD_SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const satisfies readonly MessageSystemAttributeName[];

/** The queue the messages came from, as a Lambda record names it. */
export interface RecordSource {
  readonly queueArn: string;
  readonly region: string;
}

/**
 * Turns one ReceiveMessage result into the record a Lambda SQS trigger would
 * deliver: camel-case fields, attribute values as strings, binary values in
 * base64, and the queue's ARN and region.
 */
export function buildSqsRecord(
  message: Message,
  source: RecordSource,
): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: readSystemAttributes(message.Attributes ?? {}),
    messageAttributes: readMessageAttributes(message.MessageAttributes ?? {}),
    ...(message.MD5OfMessageAttributes !== undefined && {
      md5OfMessageAttributes: message.MD5OfMessageAttributes,
    }),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

/** A Lambda SQS event of these messages, in the order they were received. */
export function buildSqsEvent(
  messages: readonly Message[],
  source: RecordSource,
): SQSEvent {
  return {
    Records: messages.map((message) => buildSqsRecord(message, source)),
  };
}

function readSystemAttributes(
  attributes: Partial<Record<string, string>>,
): SQSRecordAttributes {
  const known = RECORD_SYSTEM_ATTRIBUTES.flatMap((name) => {
    const value = attributes[name];
    return value === undefined ? [] : [[name, value] as const];
  });

  // The four always present in Lambda are kept even if a server left one
  // out, so the record fits its type; the FIFO ones appear only when sent.
  return {
    ApproximateReceiveCount: '',
    ApproximateFirstReceiveTimestamp: '',
    SentTimestamp: '',
    SenderId: '',
    ...Object.fromEntries(known),
  };
}

function readMessageAttributes(
  attributes: NonNullable<Message['MessageAttributes']>,
): SQSMessageAttributes {
  const read: SQSMessageAttributes = {};

  for (const [name, value] of Object.entries(attributes)) {
    read[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined && {
        stringValue: value.StringValue,
      }),
      ...(value.BinaryValue !== undefined && {
        binaryValue: Buffer.from(value.BinaryValue).toString('base64'),
      }),
      stringListValues: [...(value.StringListValues ?? [])],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) =>
        Buffer.from(bytes).toString('base64'),
      ),
    };
  }

  return read;
}
