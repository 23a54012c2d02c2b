import { describe, expect, it } from 'vitest';
import { readEvent } from '../../events/reader.js';
import { readSample } from '../../events/samples.js';

describe('readEvent', () => {
  it('reads a sample body into a known event with no drift', () => {
    const result = readEvent(readSample('participation.created').toString());

    expect(result.success).toBe(true);
    expect(result.success && result.event.type).toBe('participation.created');
    expect(result.success && result.event.known).toBe(true);
    expect(result.success && result.drift).toEqual([]);
  });

  it('reads an unknown event type as the unknown member', () => {
    const body = '{"type":"badge.awarded","organization_id":4,"data":{}}';

    const result = readEvent(body);

    expect(result.success && result.event.known).toBe(false);
  });

  it('reports drift without failing', () => {
    const body = readSample('campaign.created')
      .toString()
      .replace('"id":"10000"', '"id":10000');

    const result = readEvent(body);

    expect(result.success && result.drift).toEqual(['data.id']);
  });

  it('rejects a body that is not JSON without quoting it', () => {
    const result = readEvent('{"type":"secret-walrus"');

    expect(result).toEqual({
      success: false,
      issues: ['body: is not valid JSON'],
    });
  });

  it('rejects a body whose envelope is broken', () => {
    const body = '{"type":"project.created","organization_id":"1","data":{}}';

    expect(readEvent(body)).toEqual({
      success: false,
      issues: ['organization_id: must be a number'],
    });
  });
});
