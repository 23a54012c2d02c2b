import { describe, expect, it } from 'vitest';
import { readSample } from '../../events/index.js';
import { readEnvelope } from '../../functions/receiver/read-envelope.js';

const SAMPLE = readSample('project.public.created');

describe('readEnvelope', () => {
  it('returns the envelope and the exact text of the bytes', () => {
    const read = readEnvelope(SAMPLE);

    expect(read.success).toBe(true);
    if (read.success) {
      expect(read.text).toBe(SAMPLE.toString('utf8'));
      expect(read.envelope.type).toBe('project.public.created');
      expect(read.envelope.organization_id).toBe(1);
    }
  });

  it('rejects bytes that are not UTF-8', () => {
    const body = Buffer.concat([SAMPLE.subarray(0, 20), Buffer.from([0xff])]);

    expect(readEnvelope(body)).toEqual({
      success: false,
      reason: 'body-not-json',
    });
  });

  it('rejects a body that is not JSON', () => {
    expect(readEnvelope(SAMPLE.subarray(0, -1))).toEqual({
      success: false,
      reason: 'body-not-json',
    });
  });

  it('rejects a JSON body that is not an envelope, naming the rule', () => {
    const read = readEnvelope(Buffer.from('{"type":"project.created"}'));

    expect(read).toMatchObject({ success: false, reason: 'envelope-invalid' });
    expect(read.success ? [] : read.issues).toContain(
      'organization_id: is required',
    );
  });

  it('rejects a raw code point that SQS cannot carry', () => {
    const body = Buffer.from(
      '{"type":"project.created","organization_id":1,"data":{"n":"\uffff"}}',
    );

    expect(readEnvelope(body)).toEqual({
      success: false,
      reason: 'body-not-sendable',
    });
  });
});
