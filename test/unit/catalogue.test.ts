import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CampaignData } from '../../events/campaign.js';
import {
  inspectEvent,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  type VomoEvent,
} from '../../events/catalogue.js';
import type { VomoEnvelope } from '../../events/envelope.js';
import type { ParticipationData } from '../../events/participation.js';
import type { ProjectData } from '../../events/project.js';
import { readSample } from '../../events/samples.js';

function readSampleEnvelope(type: KnownEventType): VomoEnvelope {
  return JSON.parse(readSample(type).toString('utf8')) as VomoEnvelope;
}

// A fresh copy each time, so one test's changes never reach another.
function readSampleData(type: KnownEventType): Record<string, unknown> {
  return readSampleEnvelope(type).data;
}

function inspectData(type: KnownEventType, data: Record<string, unknown>) {
  return inspectEvent({ type, organization_id: 1, data });
}

describe('KNOWN_EVENT_TYPES', () => {
  it('lists the fifteen documented event types once each', () => {
    expect(new Set(KNOWN_EVENT_TYPES).size).toBe(15);
  });
});

describe('isKnownEventType', () => {
  it('accepts a known public type', () => {
    expect(isKnownEventType('campaign.public.updated')).toBe(true);
  });

  it('rejects a type of a known object with an unknown action', () => {
    expect(isKnownEventType('project.archived')).toBe(false);
  });

  it('rejects participation in public form, which VOMO does not send', () => {
    expect(isKnownEventType('participation.public.created')).toBe(false);
  });
});

describe('inspectEvent', () => {
  it.each(KNOWN_EVENT_TYPES)('finds no drift in the %s sample', (type) => {
    const { event, drift } = inspectEvent(readSampleEnvelope(type));

    expect(drift).toEqual([]);
    expect(event.known).toBe(true);
    expect(event.type).toBe(type);
  });

  it('returns the envelope data as the very same object', () => {
    const envelope = readSampleEnvelope('project.created');

    const { event } = inspectEvent(envelope);

    expect(event.data).toBe(envelope.data);
    expect(event.organization_id).toBe(1);
  });

  it('keeps fields the catalogue does not know', () => {
    const data = { ...readSampleData('campaign.created'), color: 'teal' };

    const { event, drift } = inspectData('campaign.created', data);

    expect(drift).toEqual([]);
    expect(event.data.color).toBe('teal');
  });

  it('reports a project id sent as a number, and keeps it', () => {
    const data = { ...readSampleData('project.updated'), id: 90909 };

    const { event, drift } = inspectData('project.updated', data);

    expect(drift).toEqual(['data.id']);
    expect(event.data.id).toBe(90909);
  });

  it('reports the path of a nested drift', () => {
    const data = readSampleData('project.created');
    const [owner] = data.owners as Record<string, unknown>[];
    data.owners = [{ ...owner, project_id: '90909' }];

    const { drift } = inspectData('project.created', data);

    expect(drift).toEqual(['data.owners.0.project_id']);
  });

  it('reports a missing field', () => {
    const { address: _, ...data } = readSampleData('project.public.created');

    const { drift } = inspectData('project.public.created', data);

    expect(drift).toEqual(['data.address']);
  });

  it('reports every drifted path once, and never a value', () => {
    const data = {
      ...readSampleData('participation.created'),
      hours: 'ten hours',
      verified: true,
      updated_at: '2021-03-30 15:59:03',
    };

    const { drift } = inspectData('participation.created', data);

    expect(drift).toEqual(['data.updated_at', 'data.hours', 'data.verified']);
    expect(drift.join()).not.toContain('ten hours');
  });

  it('reports a campaign sample read as a project', () => {
    const { drift } = inspectData(
      'project.created',
      readSampleData('campaign.created'),
    );

    expect(drift).toContain('data.type');
    expect(drift).toContain('data.project_name');
  });

  it('accepts the nulls VOMO sends for optional values', () => {
    const data = {
      ...readSampleData('project.created'),
      description: null,
      published_at: null,
      next_date: null,
      draft: true,
    };

    expect(inspectData('project.created', data).drift).toEqual([]);
  });

  it('accepts an address with only a timezone', () => {
    const data = {
      ...readSampleData('project.created'),
      address: { timezone: 'America/Chicago' },
    };

    expect(inspectData('project.created', data).drift).toEqual([]);
  });

  it('keeps an event of an unknown type as the unknown member', () => {
    const envelope = {
      type: 'volunteer.public.merged',
      organization_id: 3,
      data: { id: 5, anything: ['kept'] },
    };

    const { event, drift } = inspectEvent(envelope);

    expect(event).toEqual({ known: false, ...envelope });
    expect(event.data).toBe(envelope.data);
    expect(drift).toEqual([]);
  });

  it('narrows data to the object type once the event is known', () => {
    const { event } = inspectEvent(readSampleEnvelope('project.created'));

    expectTypeOf(event).toEqualTypeOf<VomoEvent>();
    if (!event.known) {
      expectTypeOf(event.data).toEqualTypeOf<Record<string, unknown>>();
      throw new Error('expected a known event');
    }

    switch (event.type) {
      case 'project.created':
      case 'project.public.deleted':
        expectTypeOf(event.data).toEqualTypeOf<ProjectData>();
        expectTypeOf(event.data.id).toEqualTypeOf<string>();
        expectTypeOf(event.data.owners[0]?.project_id).toEqualTypeOf<
          number | undefined
        >();
        expectTypeOf(event.data).not.toEqualTypeOf<CampaignData>();
        expect(event.data.project_name).toBe('Website Maintenance');
        break;
      case 'campaign.updated':
        expectTypeOf(event.data).toEqualTypeOf<CampaignData>();
        break;
      case 'participation.deleted':
        expectTypeOf(event.data).toEqualTypeOf<ParticipationData>();
        expectTypeOf(event.data.hours).toEqualTypeOf<string>();
        expectTypeOf(event.data.verified).toEqualTypeOf<0 | 1>();
        break;
    }
  });
});
