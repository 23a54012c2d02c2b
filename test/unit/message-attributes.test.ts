import { describe, expect, it } from 'vitest';
import { MESSAGE_ATTRIBUTE } from '../../events/index.js';

describe('MESSAGE_ATTRIBUTE', () => {
  it('keeps every name within the SQS rules for attribute names', () => {
    for (const name of Object.values(MESSAGE_ATTRIBUTE)) {
      expect(name).toMatch(/^[A-Za-z0-9_.-]{1,256}$/);
      expect(name).not.toMatch(/^(aws|amazon)\./i);
    }
  });

  it('keeps the receiver to the ten attributes SQS allows', () => {
    expect(Object.keys(MESSAGE_ATTRIBUTE).length).toBeLessThanOrEqual(10);
  });
});
