import { describe, expect, it } from 'vitest';
import { KNOWN_EVENT_TYPES } from '../../events/catalogue.js';
import { parseEnvelope } from '../../events/envelope.js';
import { readSample, SAMPLE_EVENT_TYPES } from '../../events/samples.js';
import { encodeWireForm } from '../../events/wire-form.js';

describe('SAMPLE_EVENT_TYPES', () => {
  it('covers every known event type', () => {
    expect([...SAMPLE_EVENT_TYPES].sort()).toEqual(
      [...KNOWN_EVENT_TYPES].sort(),
    );
  });
});

describe('readSample', () => {
  it.each(SAMPLE_EVENT_TYPES)('reads the %s sample in wire form', (type) => {
    const bytes = readSample(type).toString('utf8');

    expect(encodeWireForm(JSON.parse(bytes))).toBe(bytes);
  });

  it.each(SAMPLE_EVENT_TYPES)('reads a valid %s envelope', (type) => {
    const parsed = parseEnvelope(JSON.parse(readSample(type).toString()));

    expect(parsed.success && parsed.envelope.type).toBe(type);
  });

  it('reads pure ASCII bytes with no trailing newline', () => {
    for (const type of SAMPLE_EVENT_TYPES) {
      const bytes = readSample(type);

      expect(bytes.every((byte) => byte >= 0x20 && byte < 0x7f)).toBe(true);
      expect(bytes.at(-1)).toBe('}'.charCodeAt(0));
    }
  });

  it('reads bytes that show every escape VOMO uses', () => {
    const all = SAMPLE_EVENT_TYPES.map((type) => readSample(type)).join('');

    expect(all).toContain('http:\\/\\/www.vomo.test\\/');
    expect(all).toContain('Jos\\u00e9');
    expect(all).toMatch(/\\ud8[0-3][0-9a-f]\\ud[c-f][0-9a-f]{2}/);
  });

  it('reads public samples addressed to another organization', () => {
    const envelope = JSON.parse(
      readSample('project.public.created').toString(),
    );

    expect(envelope.organization_id).toBe(1);
    expect(envelope.data.organization_id).toBe(2);
  });

  it('rejects a type with no sample, naming it', () => {
    expect(() => readSample('project.archived')).toThrow(
      'No sample body exists for event type "project.archived"',
    );
  });

  it('rejects a path instead of a type', () => {
    expect(() => readSample('../catalogue')).toThrow(/"\.\.\/catalogue"/);
  });
});
