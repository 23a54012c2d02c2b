import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CampaignData,
  hashBody,
  MESSAGE_ATTRIBUTE,
  type ParticipationData,
  type ProjectData,
  type QueueRecord,
  RECORD_ERROR_CODES,
  type RecordErrorCode,
  type RecordMetadata,
  readSample,
  readVomoRecord,
  SAMPLE_EVENT_TYPES,
  type VomoEvent,
} from '../../events/index.js';
import {
  buildLambdaRecord,
  buildSdkMessage,
  TEST_RECORD_RECEIVED_AT,
  TEST_RECORD_REQUEST_ID,
} from '../fixtures/queue-records.js';

const SHAPES = [
  { shape: 'a Lambda record', build: buildLambdaRecord },
  { shape: 'an SDK message', build: buildSdkMessage },
] as const;

const UNKNOWN_BODY = '{"type":"badge.awarded","organization_id":7,"data":{}}';

function sample(type: string): string {
  return readSample(type).toString();
}

function readError(record: QueueRecord) {
  const result = readVomoRecord(record);
  if (result.success) {
    throw new Error('expected the record to be rejected');
  }
  return result.error;
}

describe('readVomoRecord', () => {
  describe.each(SHAPES)('from $shape', ({ build }) => {
    it.each(SAMPLE_EVENT_TYPES)('reads the %s sample', (type) => {
      const body = sample(type);

      const result = readVomoRecord(build(body, { messageId: 'm-1' }));

      expect(result.success).toBe(true);
      if (!result.success) return;
      expect(result.event.known).toBe(true);
      expect(result.event.type).toBe(type);
      expect(result.event.data).toEqual(JSON.parse(body).data);
      expect(result.drift).toEqual([]);
      expect(result.metadata.bodySha256).toBe(hashBody(body));
      expect(result.metadata.messageId).toBe('m-1');
    });

    it('returns the metadata the receiver attached', () => {
      const result = readVomoRecord(build(sample('project.public.updated')));

      expect(result.success && result.metadata).toEqual({
        organizationId: 1,
        type: 'project.public.updated',
        object: 'project',
        action: 'updated',
        isPublic: true,
        bodySha256: hashBody(sample('project.public.updated')),
        receivedAt: new Date(TEST_RECORD_RECEIVED_AT),
        requestId: TEST_RECORD_REQUEST_ID,
        messageId: 'message-1',
      } satisfies RecordMetadata);
    });

    it('reads an event of an unknown type as the unknown member', () => {
      const result = readVomoRecord(build(UNKNOWN_BODY));

      expect(result.success && result.event).toEqual({
        known: false,
        type: 'badge.awarded',
        organization_id: 7,
        data: {},
      });
    });

    it('reports drift in the data without failing', () => {
      const body = sample('campaign.created').replace(
        '"id":"10000"',
        '"id":10000',
      );

      const result = readVomoRecord(build(body));

      expect(result.success && result.drift).toEqual(['data.id']);
    });

    it('leaves the optional attributes undefined when they are absent', () => {
      const record = build(sample('project.created'), {
        attributes: {
          [MESSAGE_ATTRIBUTE.receivedAt]: undefined,
          [MESSAGE_ATTRIBUTE.requestId]: undefined,
          [MESSAGE_ATTRIBUTE.object]: undefined,
          [MESSAGE_ATTRIBUTE.action]: undefined,
          [MESSAGE_ATTRIBUTE.isPublic]: undefined,
        },
      });

      const result = readVomoRecord(record);

      expect(result.success && result.metadata.receivedAt).toBeUndefined();
      expect(result.success && result.metadata.requestId).toBeUndefined();
      expect(result.success && result.metadata.action).toBe('created');
    });

    it('leaves the receipt time undefined when it is not a date', () => {
      const record = build(sample('project.created'), {
        attributes: { [MESSAGE_ATTRIBUTE.receivedAt]: 'yesterday' },
      });

      const result = readVomoRecord(record);

      expect(result.success).toBe(true);
      expect(result.success && result.metadata.receivedAt).toBeUndefined();
    });

    it('accepts a body hash written in capitals', () => {
      const body = sample('project.created');
      const record = build(body, {
        attributes: {
          [MESSAGE_ATTRIBUTE.bodySha256]: hashBody(body).toUpperCase(),
        },
      });

      const result = readVomoRecord(record);

      expect(result.success && result.metadata.bodySha256).toBe(hashBody(body));
    });
  });

  describe('failures', () => {
    const body = sample('participation.created');

    const BROKEN: Record<RecordErrorCode, () => QueueRecord> = {
      'body-missing': () => {
        const { Body: _body, ...message } = buildSdkMessage(body);
        return message;
      },
      'attribute-missing': () =>
        buildLambdaRecord(body, {
          attributes: { [MESSAGE_ATTRIBUTE.bodySha256]: undefined },
        }),
      'attribute-invalid': () =>
        buildLambdaRecord(body, {
          attributes: { [MESSAGE_ATTRIBUTE.organizationId]: '1.5' },
        }),
      'body-hash-mismatch': () => ({
        ...buildLambdaRecord(body),
        body: body.replace('"quantity":1', '"quantity":2'),
      }),
      'body-not-json': () => buildLambdaRecord('{"type":"secret-walrus"'),
      'envelope-invalid': () =>
        buildLambdaRecord('{"type":"project.created","data":{}}'),
      'attribute-mismatch': () =>
        buildLambdaRecord(body, {
          attributes: { [MESSAGE_ATTRIBUTE.type]: 'participation.updated' },
        }),
    };

    it('has a broken record for every error code', () => {
      expect(Object.keys(BROKEN).sort()).toEqual(
        [...RECORD_ERROR_CODES].sort(),
      );
    });

    it.each(RECORD_ERROR_CODES)('fails with %s', (code) => {
      expect(readError(BROKEN[code]()).code).toBe(code);
    });

    it.each([
      MESSAGE_ATTRIBUTE.type,
      MESSAGE_ATTRIBUTE.organizationId,
      MESSAGE_ATTRIBUTE.bodySha256,
    ])('names the missing attribute %s', (name) => {
      const record = buildSdkMessage(body, {
        attributes: { [name]: undefined },
      });

      expect(readError(record)).toEqual({
        code: 'attribute-missing',
        message: `attribute ${name} is missing`,
      });
    });

    it.each(['0', '-1', 'one', '1e3'])(
      'rejects the organization id attribute %s',
      (value) => {
        const record = buildLambdaRecord(body, {
          attributes: { [MESSAGE_ATTRIBUTE.organizationId]: value },
        });

        expect(readError(record).code).toBe('attribute-invalid');
      },
    );

    it('rejects a body hash that is not 64 hex digits', () => {
      const record = buildLambdaRecord(body, {
        attributes: { [MESSAGE_ATTRIBUTE.bodySha256]: hashBody(body).slice(1) },
      });

      expect(readError(record)).toEqual({
        code: 'attribute-invalid',
        message: `attribute ${MESSAGE_ATTRIBUTE.bodySha256} must be a SHA-256 in hex`,
      });
    });

    it('checks the hash before reading the body', () => {
      const record = {
        ...buildLambdaRecord(body),
        body: 'not json at all',
      };

      expect(readError(record).code).toBe('body-hash-mismatch');
    });

    it('rejects an organization id that differs from the envelope', () => {
      const record = buildSdkMessage(body, {
        attributes: { [MESSAGE_ATTRIBUTE.organizationId]: '2' },
      });

      expect(readError(record)).toEqual({
        code: 'attribute-mismatch',
        message: `attribute ${MESSAGE_ATTRIBUTE.organizationId} differs from the envelope's organization_id`,
      });
    });

    it('names the broken envelope field without quoting the body', () => {
      const record = buildLambdaRecord(
        '{"type":"project.created","organization_id":"secret-walrus","data":{}}',
        { attributes: { [MESSAGE_ATTRIBUTE.organizationId]: '1' } },
      );

      const error = readError(record);

      expect(error.code).toBe('envelope-invalid');
      expect(error.message).toContain('organization_id');
      expect(error.message).not.toContain('secret-walrus');
    });

    it('never quotes a body that is not JSON', () => {
      const error = readError(BROKEN['body-not-json']());

      expect(error.message).toBe('the body is not valid JSON');
    });

    it('reads a hand-built record that has no attributes at all', () => {
      const record = { messageId: 'm-1', body } as QueueRecord;

      expect(readError(record).code).toBe('attribute-missing');
    });
  });

  describe('types', () => {
    it('accepts the records of aws-lambda and of the SDK', () => {
      expectTypeOf<SQSRecord>().toExtend<QueueRecord>();
      expectTypeOf<Message>().toExtend<QueueRecord>();
      expectTypeOf(readVomoRecord).parameter(0).toEqualTypeOf<QueueRecord>();
    });

    it('narrows the event data once the event is known', () => {
      const result = readVomoRecord(
        buildLambdaRecord(sample('project.created')),
      );

      if (!result.success) {
        expectTypeOf(result.error.code).toEqualTypeOf<RecordErrorCode>();
        throw new Error('expected the record to be read');
      }

      const { event } = result;
      expectTypeOf(event).toEqualTypeOf<VomoEvent>();
      expectTypeOf(result.metadata.receivedAt).toEqualTypeOf<
        Date | undefined
      >();

      if (!event.known) {
        expectTypeOf(event.data).toEqualTypeOf<Record<string, unknown>>();
        throw new Error('expected a known event');
      }

      switch (event.type) {
        case 'project.created':
          expectTypeOf(event.data).toEqualTypeOf<ProjectData>();
          expect(event.data.project_name).toBe('Website Maintenance');
          break;
        case 'campaign.public.updated':
          expectTypeOf(event.data).toEqualTypeOf<CampaignData>();
          break;
        case 'participation.updated':
          expectTypeOf(event.data).toEqualTypeOf<ParticipationData>();
          expectTypeOf(event.data.status).toEqualTypeOf<string>();
          break;
        default:
          expectTypeOf(event.data).not.toEqualTypeOf<ProjectData>();
      }
    });
  });
});
