import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  createRouter,
  parseRoutingTable,
  type RoutingTable,
} from '../../functions/receiver/routes.js';

const TABLE: RoutingTable = {
  organizations: {
    '1': [
      { events: ['participation.*'], queue: 'volunteering' },
      { events: ['project.*', 'campaign.*'], queue: 'catalog' },
      { events: ['*.deleted'], queue: 'audit' },
    ],
    '2': [{ events: ['project.created'], queue: 'partner' }],
  },
  unrouted: 'unrouted',
};

describe('compilePattern', () => {
  it.each([
    ['project.*', 'project.created'],
    ['project.*', 'project.public.updated'],
    ['*.deleted', 'campaign.public.deleted'],
    ['*', 'volunteer_hours.created'],
    ['project.created', 'project.created'],
    ['project.*.updated', 'project.public.updated'],
  ])('lets %s match %s', (pattern, type) => {
    expect(compilePattern(pattern).test(type)).toBe(true);
  });

  it.each([
    ['project.*', 'projects.created'],
    ['project.*', 'campaign.project.created'],
    ['project.created', 'project.created.late'],
    ['project.created', 'xproject.created'],
    ['project.created', 'project_created'],
    ['*.deleted', 'project.deleted_all'],
  ])('keeps %s from matching %s', (pattern, type) => {
    expect(compilePattern(pattern).test(type)).toBe(false);
  });

  it('takes regular-expression characters literally', () => {
    expect(compilePattern('a+b').test('aab')).toBe(false);
    expect(compilePattern('a+b').test('a+b')).toBe(true);
  });
});

describe('createRouter', () => {
  const route = createRouter(TABLE);

  it('sends an event to the one queue whose route matches', () => {
    expect(route(1, 'participation.created')).toEqual({
      queues: ['volunteering'],
      matched: true,
    });
  });

  it('sends an event to every queue whose route matches', () => {
    expect(route(1, 'project.deleted')).toEqual({
      queues: ['catalog', 'audit'],
      matched: true,
    });
  });

  it('names a queue once when several of its patterns match', () => {
    const router = createRouter({
      organizations: {
        '1': [
          { events: ['project.*', '*.created'], queue: 'catalog' },
          { events: ['project.created'], queue: 'catalog' },
        ],
      },
    });

    expect(router(1, 'project.created')).toEqual({
      queues: ['catalog'],
      matched: true,
    });
  });

  it('routes by the organization it is given', () => {
    expect(route(2, 'project.created').queues).toEqual(['partner']);
  });

  it('falls back to the unrouted queue when no route matches', () => {
    expect(route(2, 'campaign.created')).toEqual({
      queues: ['unrouted'],
      matched: false,
    });
  });

  it('falls back to the unrouted queue for an organization it does not know', () => {
    expect(route(3, 'project.created')).toEqual({
      queues: ['unrouted'],
      matched: false,
    });
  });

  it('names no queue for an unmatched event when there is no unrouted queue', () => {
    const router = createRouter({ organizations: TABLE.organizations });

    expect(router(2, 'campaign.created')).toEqual({
      queues: [],
      matched: false,
    });
  });
});

describe('parseRoutingTable', () => {
  it('accepts a valid table', () => {
    expect(parseRoutingTable(structuredClone(TABLE))).toEqual(TABLE);
  });

  it('accepts a table without an unrouted queue', () => {
    const table = { organizations: TABLE.organizations };

    expect(parseRoutingTable(table)).toEqual(table);
  });

  it('rejects a route without a queue, naming where', () => {
    const table = { organizations: { '1': [{ events: ['project.*'] }] } };

    expect(() => parseRoutingTable(table)).toThrow(
      'routing table is invalid at: organizations.1.0.queue',
    );
  });

  it('rejects a table without organizations', () => {
    expect(() => parseRoutingTable({ unrouted: 'unrouted' })).toThrow(
      /invalid at: organizations$/,
    );
  });
});
