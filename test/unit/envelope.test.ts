import { describe, expect, it } from 'vitest';
import {
  describeEventType,
  EVENT_TYPE_MAX_CHARS,
  parseEnvelope,
  parseEnvelopeText,
} from '../../events/envelope.js';

// Values unlikely to appear in any rule text, so an echo would show.
const SECRET_TYPE = 'zebra.quokka.narwhal';
const SECRET_STRING = 'quokka-9f3e';

function buildEnvelope(): Record<string, unknown> {
  return {
    type: 'project.created',
    organization_id: 1,
    data: { id: '90909', note: SECRET_STRING },
  };
}

function readIssues(value: unknown): string[] {
  const result = parseEnvelope(value);

  if (result.success) {
    throw new Error('expected the envelope to be rejected');
  }
  return result.issues;
}

describe('parseEnvelope', () => {
  it('accepts a valid envelope and keeps data as the same object', () => {
    const value = buildEnvelope();

    const result = parseEnvelope(value);

    expect(result).toEqual({ success: true, envelope: value });
    expect(result.success && result.envelope.data).toBe(value.data);
  });

  it('accepts a public event type', () => {
    const value = { ...buildEnvelope(), type: 'campaign.public.deleted' };

    expect(parseEnvelope(value).success).toBe(true);
  });

  it('accepts digits and underscores in each part', () => {
    const value = { ...buildEnvelope(), type: 'form_2.re_sent' };

    expect(parseEnvelope(value).success).toBe(true);
  });

  it('accepts a type of the maximum length', () => {
    const type = `${'a'.repeat(EVENT_TYPE_MAX_CHARS - 2)}.b`;

    expect(parseEnvelope({ ...buildEnvelope(), type }).success).toBe(true);
  });

  it('accepts the largest safe organization id', () => {
    const value = {
      ...buildEnvelope(),
      organization_id: Number.MAX_SAFE_INTEGER,
    };

    expect(parseEnvelope(value).success).toBe(true);
  });

  it('accepts an empty data object', () => {
    expect(parseEnvelope({ ...buildEnvelope(), data: {} }).success).toBe(true);
  });

  it('leaves extra top-level fields out of the envelope', () => {
    const value = { ...buildEnvelope(), delivered_at: SECRET_STRING };

    const result = parseEnvelope(value);

    expect(result.success && Object.keys(result.envelope)).toEqual([
      'type',
      'organization_id',
      'data',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', [buildEnvelope()]],
    ['a string', SECRET_STRING],
    ['a number', 42],
  ])('rejects a body that is %s', (_, value) => {
    expect(readIssues(value)).toEqual(['envelope: must be a JSON object']);
  });

  it('rejects a missing type', () => {
    const { type: _, ...value } = buildEnvelope();

    expect(readIssues(value)).toEqual(['type: is required']);
  });

  it('rejects a type that is not a string', () => {
    const value = { ...buildEnvelope(), type: 7 };

    expect(readIssues(value)).toEqual(['type: must be a string']);
  });

  it.each([
    ['one part', 'project'],
    ['four parts', 'project.public.created.again'],
    ['a middle part other than public', 'project.private.created'],
    ['an empty part', 'project.'],
    ['a leading dot', '.project.created'],
    ['whitespace', 'project.created '],
    ['a wildcard', 'project.*'],
  ])('rejects a type with %s', (_, type) => {
    const issues = readIssues({ ...buildEnvelope(), type });

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^type: must read object\.action or /);
  });

  it('rejects a type longer than the maximum', () => {
    const type = `${'a'.repeat(EVENT_TYPE_MAX_CHARS - 1)}.b`;

    expect(readIssues({ ...buildEnvelope(), type })).toEqual([
      `type: must be at most ${EVENT_TYPE_MAX_CHARS} characters`,
    ]);
  });

  it('rejects a missing organization id', () => {
    const { organization_id: _, ...value } = buildEnvelope();

    expect(readIssues(value)).toEqual(['organization_id: is required']);
  });

  it('rejects an organization id sent as a string', () => {
    const value = { ...buildEnvelope(), organization_id: '1' };

    expect(readIssues(value)).toEqual(['organization_id: must be a number']);
  });

  it.each([
    ['a fraction', 1.5],
    ['beyond the safe range', Number.MAX_SAFE_INTEGER + 1],
    ['not a number at all', Number.NaN],
  ])('rejects an organization id that is %s', (_, organizationId) => {
    const value = { ...buildEnvelope(), organization_id: organizationId };

    expect(readIssues(value)).toEqual([
      'organization_id: must be a safe integer',
    ]);
  });

  it.each([
    ['zero', 0],
    ['negative', -3],
  ])('rejects an organization id that is %s', (_, organizationId) => {
    const value = { ...buildEnvelope(), organization_id: organizationId };

    expect(readIssues(value)).toEqual(['organization_id: must be positive']);
  });

  it('rejects missing data', () => {
    const { data: _, ...value } = buildEnvelope();

    expect(readIssues(value)).toEqual(['data: is required']);
  });

  it.each([
    ['uppercase letters', 'Project.created'],
    ['a hyphen', 'project.re-created'],
    ['a public variant in camel case', 'volunteerHours.public.logged'],
  ])('accepts a type with %s, so a new VOMO type is not lost', (_, type) => {
    const result = parseEnvelope({ ...buildEnvelope(), type });

    expect(result.success).toBe(true);
  });

  it('reads data written as PHP writes an empty map, `[]`, as empty', () => {
    const result = parseEnvelope({ ...buildEnvelope(), data: [] });

    expect(result).toEqual({
      success: true,
      envelope: { ...buildEnvelope(), data: {} },
    });
  });

  it.each([
    ['null', null],
    ['an array', [{ id: 1 }]],
    ['a string', SECRET_STRING],
  ])('rejects data that is %s', (_, data) => {
    expect(readIssues({ ...buildEnvelope(), data })).toEqual([
      'data: must be a JSON object',
    ]);
  });

  it('reports every broken field at once', () => {
    const value = { type: SECRET_TYPE, organization_id: 0, data: [1] };

    expect(readIssues(value)).toHaveLength(3);
  });

  it('never echoes the values it rejects', () => {
    const values = [
      { ...buildEnvelope(), type: SECRET_TYPE },
      { ...buildEnvelope(), type: SECRET_STRING },
      { ...buildEnvelope(), organization_id: SECRET_STRING },
      { ...buildEnvelope(), data: SECRET_STRING },
      SECRET_STRING,
    ];

    const issues = values.flatMap(readIssues).join('\n');

    expect(issues).not.toContain('quokka');
  });
});

describe('describeEventType', () => {
  it('splits a private event type', () => {
    expect(describeEventType('participation.updated')).toEqual({
      object: 'participation',
      action: 'updated',
      isPublic: false,
    });
  });

  it('splits a public event type', () => {
    expect(describeEventType('project.public.deleted')).toEqual({
      object: 'project',
      action: 'deleted',
      isPublic: true,
    });
  });

  it('splits a type the catalogue does not know', () => {
    expect(describeEventType('form_2.re_sent')).toEqual({
      object: 'form_2',
      action: 're_sent',
      isPublic: false,
    });
  });
});

describe('parseEnvelopeText', () => {
  it('parses the text and returns the envelope', () => {
    const text = JSON.stringify(buildEnvelope());

    expect(parseEnvelopeText(text)).toEqual({
      success: true,
      envelope: buildEnvelope(),
    });
  });

  it('tells text that is not JSON without quoting it', () => {
    const result = parseEnvelopeText(`{"note":"${SECRET_STRING}"`);

    expect(result).toEqual({
      success: false,
      problem: 'not-json',
      issues: ['body: is not valid JSON'],
    });
  });

  it('tells JSON that is not an envelope, with the broken rules', () => {
    const text = JSON.stringify({ ...buildEnvelope(), organization_id: 0 });

    expect(parseEnvelopeText(text)).toEqual({
      success: false,
      problem: 'not-envelope',
      issues: ['organization_id: must be positive'],
    });
  });
});
