import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readSample, readVomoRecord } from '../../events/index.js';
import { buildSqsEvent, buildSqsRecord } from '../../local/lambda-sqs-event.js';
import { buildSdkMessage } from '../fixtures/queue-records.js';

const SOURCE = {
  queueArn: 'arn:aws:sqs:eu-west-1:123456789012:volunteering.fifo',
  region: 'eu-west-1',
};

const BODY = readSample('participation.created').toString();

/** The system attributes a FIFO queue sends with a message it hands out. */
const FIFO_ATTRIBUTES = {
  ApproximateReceiveCount: '2',
  ApproximateFirstReceiveTimestamp: '1705320000100',
  SentTimestamp: '1705320000000',
  SenderId: 'AROAEXAMPLE',
  MessageGroupId: '1:participation:123456',
  MessageDeduplicationId: 'dedup',
  SequenceNumber: '18800000000000000001',
};

/** A message as ReceiveMessage returns it from a FIFO queue. */
function receivedMessage(overrides: Partial<Message> = {}): Message {
  return {
    ...buildSdkMessage(BODY, { messageId: 'message-7' }),
    MD5OfBody: 'md5-of-body',
    MD5OfMessageAttributes: 'md5-of-attributes',
    Attributes: { ...FIFO_ATTRIBUTES },
    ...overrides,
  };
}

describe('buildSqsRecord', () => {
  it('gives a received message the shape of a Lambda SQS record', () => {
    const record = buildSqsRecord(receivedMessage(), SOURCE);

    expect(record).toMatchObject({
      messageId: 'message-7',
      receiptHandle: 'receipt-message-7',
      body: BODY,
      md5OfBody: 'md5-of-body',
      md5OfMessageAttributes: 'md5-of-attributes',
      eventSource: 'aws:sqs',
      eventSourceARN: SOURCE.queueArn,
      awsRegion: 'eu-west-1',
    });
  });

  it('keeps the system attributes, the FIFO ones included', () => {
    const record = buildSqsRecord(receivedMessage(), SOURCE);

    expect(record.attributes).toEqual(FIFO_ATTRIBUTES);
  });

  it('leaves out FIFO attributes a standard queue does not send', () => {
    const record = buildSqsRecord(
      receivedMessage({ Attributes: { ApproximateReceiveCount: '1' } }),
      SOURCE,
    );

    expect(record.attributes).toEqual({
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: '',
      SentTimestamp: '',
      SenderId: '',
    });
  });

  it('turns message attributes into lowercase values with their data type', () => {
    const record = buildSqsRecord(receivedMessage(), SOURCE);

    expect(record.messageAttributes['vomo-type']).toEqual({
      dataType: 'String',
      stringValue: 'participation.created',
      stringListValues: [],
      binaryListValues: [],
    });
    expect(record.messageAttributes['vomo-organization-id']).toMatchObject({
      dataType: 'Number',
      stringValue: '1',
    });
  });

  it('carries a binary attribute in base64, as Lambda does', () => {
    const record = buildSqsRecord(
      receivedMessage({
        MessageAttributes: {
          trace: { DataType: 'Binary', BinaryValue: Uint8Array.of(1, 2, 255) },
        },
      }),
      SOURCE,
    );

    expect(record.messageAttributes.trace).toEqual({
      dataType: 'Binary',
      binaryValue: 'AQL/',
      stringListValues: [],
      binaryListValues: [],
    });
  });

  it('gives the consumer reader a record it reads as the typed event', () => {
    const read = readVomoRecord(buildSqsRecord(receivedMessage(), SOURCE));

    if (!read.success || read.event.type !== 'participation.created') {
      throw new Error('expected a readable participation.created record');
    }
    expect(read.event.known).toBe(true);
    expect(read.metadata).toMatchObject({
      organizationId: 1,
      messageId: 'message-7',
    });
    expect(read.event.data).toMatchObject({ id: 123456, user_id: 234567 });
  });
});

describe('buildSqsEvent', () => {
  it('keeps the messages in the order they were received', () => {
    const event = buildSqsEvent(
      [
        receivedMessage({ MessageId: 'first' }),
        receivedMessage({ MessageId: 'second' }),
      ],
      SOURCE,
    );

    expect(event.Records.map((record) => record.messageId)).toEqual([
      'first',
      'second',
    ]);
  });
});
