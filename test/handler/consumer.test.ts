import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  expectTypeOf,
  it,
  vi,
} from 'vitest';
import {
  type CampaignData,
  MESSAGE_ATTRIBUTE,
  type ParticipationData,
  type ProjectData,
  readSample,
  SAMPLE_EVENT_TYPES,
} from '../../events/index.js';
import {
  CONSUMER_METRIC,
  type ConsumerOptions,
  createConsumer,
  type EventHandler,
  type EventHandlers,
  type EventOfType,
  isFifoBatch,
} from '../../functions/consumer/consumer.js';
import { HANDLERS } from '../../functions/consumer/handlers.js';
import {
  buildLambdaRecord,
  buildSqsEvent,
  type QueueRecordOptions,
} from '../fixtures/queue-records.js';

type LogLine = Record<string, unknown>;

const PARTICIPATION_CREATED = readSample('participation.created').toString();
const PARTICIPATION_UPDATED = readSample('participation.updated').toString();
const PROJECT_CREATED = readSample('project.created').toString();
const PROJECT_UPDATED = readSample('project.updated').toString();
const UNKNOWN_BODY = '{"type":"badge.awarded","organization_id":1,"data":{}}';

let logLines: LogLine[];
let metrics: Metrics;

beforeEach(() => {
  logLines = [];
  const capture = (chunk: unknown) => {
    logLines.push(JSON.parse(String(chunk)));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);

  metrics = new Metrics({ namespace: 'VomoRelayTest', serviceName: 'test' });
  vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
});

afterEach(() => {
  vi.restoreAllMocks();
});

function options(): ConsumerOptions {
  return {
    logger: new Logger({ serviceName: 'vomo-consumer-test', logLevel: 'INFO' }),
    metrics,
  };
}

function record(
  body: string,
  messageId: string,
  extra: QueueRecordOptions = {},
): SQSRecord {
  return buildLambdaRecord(body, { ...extra, messageId });
}

function failing(): EventHandler {
  return vi.fn(() => {
    throw new Error('downstream unavailable');
  });
}

function countOf(metric: string): number {
  const addMetric = vi.mocked(metrics.addMetric);
  return addMetric.mock.calls.filter(([name]) => name === metric).length;
}

describe('createConsumer', () => {
  beforeEach(() => {
    vi.spyOn(metrics, 'addMetric');
  });

  it('passes each event to the handler of its type', async () => {
    const created = vi.fn();
    const updated = vi.fn();
    const consume = createConsumer(
      {
        'participation.created': created,
        'participation.updated': updated,
      },
      options(),
    );

    const response = await consume(
      buildSqsEvent([
        record(PARTICIPATION_CREATED, 'm-1'),
        record(PARTICIPATION_UPDATED, 'm-2'),
      ]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(created).toHaveBeenCalledOnce();
    expect(created.mock.calls[0]?.[0]).toMatchObject({
      known: true,
      type: 'participation.created',
      data: { id: 123456 },
    });
    expect(updated).toHaveBeenCalledOnce();
    expect(countOf(CONSUMER_METRIC.handled)).toBe(2);
  });

  it('gives the handler the metadata and drift of its record', async () => {
    const handler = vi.fn();
    const consume = createConsumer({ 'project.created': handler }, options());
    const drifted = PROJECT_CREATED.replace('"draft":false', '"draft":0');

    await consume(buildSqsEvent([record(drifted, 'm-1')]));

    const context = handler.mock.calls[0]?.[1];
    expect(context.metadata).toMatchObject({
      messageId: 'm-1',
      type: 'project.created',
      organizationId: 1,
      object: 'project',
      action: 'created',
      isPublic: false,
    });
    expect(context.drift).toEqual(['data.draft']);
    expect(countOf(CONSUMER_METRIC.schemaDrift)).toBe(1);
  });

  describe('on a standard queue', () => {
    it('reports exactly the unreadable record as failed', async () => {
      const handler = vi.fn();
      const consume = createConsumer(
        { 'participation.created': handler, 'project.created': handler },
        options(),
      );
      const broken = {
        ...record(PROJECT_UPDATED, 'm-2'),
        body: PROJECT_UPDATED.replace('"draft":false', '"draft":true'),
      };

      const response = await consume(
        buildSqsEvent([
          record(PARTICIPATION_CREATED, 'm-1'),
          broken,
          record(PROJECT_CREATED, 'm-3'),
        ]),
      );

      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm-2' }],
      });
      expect(handler).toHaveBeenCalledTimes(2);
      expect(countOf(CONSUMER_METRIC.unreadable)).toBe(1);
      expect(logLines).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'record unreadable',
          messageId: 'm-2',
          code: 'body-hash-mismatch',
        }),
      );
    });

    it('reports exactly the record whose handler threw', async () => {
      const created = vi.fn();
      const consume = createConsumer(
        { 'participation.created': created, 'project.created': failing() },
        options(),
      );

      const response = await consume(
        buildSqsEvent([
          record(PROJECT_CREATED, 'm-1'),
          record(PARTICIPATION_CREATED, 'm-2'),
        ]),
      );

      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm-1' }],
      });
      expect(created).toHaveBeenCalledOnce();
      expect(countOf(CONSUMER_METRIC.failed)).toBe(1);
    });

    it('lets records after a failure proceed whatever their object', async () => {
      const updated = vi.fn();
      const consume = createConsumer(
        { 'project.created': failing(), 'project.updated': updated },
        options(),
      );

      const response = await consume(
        buildSqsEvent([
          record(PROJECT_CREATED, 'm-1'),
          record(PROJECT_UPDATED, 'm-2'),
        ]),
      );

      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm-1' }],
      });
      expect(updated).toHaveBeenCalledOnce();
    });

    it('fails the whole batch when every record fails', async () => {
      const consume = createConsumer(
        { 'project.created': failing() },
        options(),
      );

      await expect(
        consume(buildSqsEvent([record(PROJECT_CREATED, 'm-1')])),
      ).rejects.toThrow(FullBatchFailureError);
    });
  });

  describe('on a FIFO queue', () => {
    const GROUP_A = '1:participation:123456';
    const GROUP_B = '1:project:90909';

    it('holds back the later records of a failed group only', async () => {
      const participation = vi
        .fn<EventHandler>()
        .mockRejectedValueOnce(new Error('downstream unavailable'));
      const project = vi.fn();
      const consume = createConsumer(
        {
          'participation.created': participation,
          'participation.updated': participation,
          'project.created': project,
          'project.updated': project,
        },
        options(),
      );

      const response = await consume(
        buildSqsEvent([
          record(PARTICIPATION_CREATED, 'a-1', { groupId: GROUP_A }),
          record(PROJECT_CREATED, 'b-1', { groupId: GROUP_B }),
          record(PARTICIPATION_UPDATED, 'a-2', { groupId: GROUP_A }),
          record(PROJECT_UPDATED, 'b-2', { groupId: GROUP_B }),
        ]),
      );

      expect(response).toEqual({
        batchItemFailures: [
          { itemIdentifier: 'a-1' },
          { itemIdentifier: 'a-2' },
        ],
      });
      expect(participation).toHaveBeenCalledOnce();
      expect(project).toHaveBeenCalledTimes(2);
    });

    it('holds back a group whose first record is unreadable', async () => {
      const project = vi.fn();
      const consume = createConsumer(
        { 'project.created': project, 'project.updated': project },
        options(),
      );
      const broken = record(PROJECT_CREATED, 'a-1', {
        groupId: GROUP_A,
        attributes: { [MESSAGE_ATTRIBUTE.bodySha256]: undefined },
      });

      const response = await consume(
        buildSqsEvent([
          broken,
          record(PROJECT_UPDATED, 'a-2', { groupId: GROUP_A }),
          record(PROJECT_UPDATED, 'b-1', { groupId: GROUP_B }),
        ]),
      );

      expect(response).toEqual({
        batchItemFailures: [
          { itemIdentifier: 'a-1' },
          { itemIdentifier: 'a-2' },
        ],
      });
      expect(project).toHaveBeenCalledOnce();
    });

    it('handles the records of a group in the order they came', async () => {
      const seen: string[] = [];
      const remember: EventHandler = (_event, { metadata }) => {
        seen.push(metadata.messageId ?? '');
      };
      const consume = createConsumer(
        {
          'participation.created': remember,
          'participation.updated': remember,
        },
        options(),
      );

      await consume(
        buildSqsEvent([
          record(PARTICIPATION_CREATED, 'a-1', { groupId: GROUP_A }),
          record(PARTICIPATION_UPDATED, 'a-2', { groupId: GROUP_A }),
        ]),
      );

      expect(seen).toEqual(['a-1', 'a-2']);
    });
  });

  describe('duplicates', () => {
    it('handles a body once when a batch holds it twice', async () => {
      const handler = vi.fn();
      const consume = createConsumer({ 'project.created': handler }, options());

      const response = await consume(
        buildSqsEvent([
          record(PROJECT_CREATED, 'm-1'),
          record(PROJECT_CREATED, 'm-2'),
        ]),
      );

      expect(response).toEqual({ batchItemFailures: [] });
      expect(handler).toHaveBeenCalledOnce();
      expect(countOf(CONSUMER_METRIC.duplicate)).toBe(1);
    });

    it('handles a body once when it comes again in a later batch', async () => {
      const handler = vi.fn();
      const consume = createConsumer({ 'project.created': handler }, options());

      await consume(buildSqsEvent([record(PROJECT_CREATED, 'm-1')]));
      const response = await consume(
        buildSqsEvent([record(PROJECT_CREATED, 'm-2')]),
      );

      expect(response).toEqual({ batchItemFailures: [] });
      expect(handler).toHaveBeenCalledOnce();
      expect(logLines).toContainEqual(
        expect.objectContaining({
          message: 'duplicate event skipped',
          messageId: 'm-2',
        }),
      );
    });

    it('handles a body again when its first delivery failed', async () => {
      const handler = vi
        .fn<EventHandler>()
        .mockRejectedValueOnce(new Error('downstream unavailable'));
      const consume = createConsumer(
        { 'project.created': handler, 'project.updated': vi.fn() },
        options(),
      );
      const other = record(PROJECT_UPDATED, 'm-0');

      await consume(buildSqsEvent([other, record(PROJECT_CREATED, 'm-1')]));
      await consume(buildSqsEvent([record(PROJECT_CREATED, 'm-1')]));

      expect(handler).toHaveBeenCalledTimes(2);
    });

    it('tells bodies apart that differ in one byte', async () => {
      const handler = vi.fn();
      const consume = createConsumer({ 'project.created': handler }, options());
      const changed = PROJECT_CREATED.replace('"draft":false', '"draft":true');

      await consume(
        buildSqsEvent([record(PROJECT_CREATED, 'm-1'), record(changed, 'm-2')]),
      );

      expect(handler).toHaveBeenCalledTimes(2);
    });
  });

  describe('events without a handler', () => {
    it('passes an unknown event type to the default handler', async () => {
      const fallback = vi.fn<EventHandler>();
      const consume = createConsumer(
        { 'project.created': vi.fn(), default: fallback },
        options(),
      );

      await consume(buildSqsEvent([record(UNKNOWN_BODY, 'm-1')]));

      expect(fallback).toHaveBeenCalledOnce();
      expect(fallback.mock.calls[0]?.[0]).toEqual({
        known: false,
        type: 'badge.awarded',
        organization_id: 1,
        data: {},
      });
    });

    it('passes a known type with no handler of its own to the default', async () => {
      const fallback = vi.fn<EventHandler>();
      const consume = createConsumer({ default: fallback }, options());

      await consume(buildSqsEvent([record(PROJECT_CREATED, 'm-1')]));

      expect(fallback.mock.calls[0]?.[0].type).toBe('project.created');
    });

    it('acknowledges an event when there is no default either', async () => {
      const consume = createConsumer({}, options());

      const response = await consume(
        buildSqsEvent([record(UNKNOWN_BODY, 'm-1')]),
      );

      expect(response).toEqual({ batchItemFailures: [] });
      expect(logLines).toContainEqual(
        expect.objectContaining({
          message: 'event has no handler',
          eventType: 'badge.awarded',
        }),
      );
    });
  });

  it('publishes its metrics once per batch', async () => {
    const consume = createConsumer({}, options());

    await consume(buildSqsEvent([record(PROJECT_CREATED, 'm-1')]));

    expect(metrics.publishStoredMetrics).toHaveBeenCalledOnce();
  });

  it('types each handler for the events of its key', () => {
    expectTypeOf<
      EventOfType<'project.public.updated'>['data']
    >().toEqualTypeOf<ProjectData>();
    expectTypeOf<
      EventOfType<'campaign.deleted'>['type']
    >().toEqualTypeOf<'campaign.deleted'>();
    expectTypeOf<
      Parameters<NonNullable<EventHandlers['participation.updated']>>[0]['data']
    >().toEqualTypeOf<ParticipationData>();
    expectTypeOf<
      Parameters<NonNullable<EventHandlers['campaign.created']>>[0]['data']
    >().not.toEqualTypeOf<CampaignData | ProjectData>();

    const wrong: EventHandler<EventOfType<'project.created'>> = () => {};
    // @ts-expect-error a project handler cannot take participation events
    const handlers: EventHandlers = { 'participation.created': wrong };
    expect(handlers).toBeDefined();
  });
});

describe('isFifoBatch', () => {
  it('tells a FIFO batch by its message group ids', () => {
    const fifo = record(PROJECT_CREATED, 'm-1', { groupId: '1:project:90909' });

    expect(isFifoBatch([fifo])).toBe(true);
    expect(isFifoBatch([record(PROJECT_CREATED, 'm-1')])).toBe(false);
    expect(isFifoBatch([])).toBe(false);
  });
});

describe('HANDLERS', () => {
  it('logs one line per participation with its typed fields', async () => {
    const consume = createConsumer(HANDLERS, options());

    await consume(buildSqsEvent([record(PARTICIPATION_CREATED, 'm-1')]));

    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'participation created',
        messageId: 'm-1',
        eventType: 'participation.created',
        organizationId: 1,
        participationId: 123456,
        userId: 234567,
        status: 'APPROVED',
      }),
    );
  });

  it('acknowledges every sample event', async () => {
    const consume = createConsumer(HANDLERS, options());
    const records = SAMPLE_EVENT_TYPES.map((type, index) =>
      record(readSample(type).toString(), `m-${index}`),
    );

    const response = await consume(buildSqsEvent(records));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(logLines.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'project deleted',
        'campaign created',
        'participation deleted',
      ]),
    );
    expect(logLines.map((line) => line.message)).not.toContain(
      'event not handled',
    );
  });

  it('acknowledges an unknown event type', async () => {
    const consume = createConsumer(HANDLERS, options());

    const response = await consume(
      buildSqsEvent([record(UNKNOWN_BODY, 'm-1')]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(logLines).toContainEqual(
      expect.objectContaining({ message: 'event not handled', known: false }),
    );
  });
});
