import { describe, expect, it } from 'vitest';
import {
  DecimalString,
  DigitString,
  LocalDateTime,
  NumericId,
  UtcDateTime,
  ZeroOrOne,
  ZonedDateTime,
} from '../../events/fields.js';

describe('ZonedDateTime', () => {
  it('accepts a project date-time with an offset', () => {
    expect(ZonedDateTime.safeParse('2021-03-29T21:25:37+00:00').success).toBe(
      true,
    );
  });

  it('rejects an owner date-time with no zone', () => {
    expect(ZonedDateTime.safeParse('2021-03-29 21:25:37').success).toBe(false);
  });
});

describe('LocalDateTime', () => {
  it('accepts an owner date-time with no zone', () => {
    expect(LocalDateTime.safeParse('2021-03-29 21:25:37').success).toBe(true);
  });

  it('rejects a date-time with an offset', () => {
    expect(LocalDateTime.safeParse('2021-03-29T21:25:37+00:00').success).toBe(
      false,
    );
  });
});

describe('UtcDateTime', () => {
  it('accepts a participation date-time in microseconds', () => {
    expect(UtcDateTime.safeParse('2021-03-30T15:29:03.000000Z').success).toBe(
      true,
    );
  });

  it('rejects a date-time with an offset', () => {
    expect(UtcDateTime.safeParse('2021-03-30T15:29:03+00:00').success).toBe(
      false,
    );
  });
});

describe('ZeroOrOne', () => {
  it.each([0, 1])('accepts %d', (value) => {
    expect(ZeroOrOne.safeParse(value).success).toBe(true);
  });

  it.each([true, 2, '1'])('rejects %j', (value) => {
    expect(ZeroOrOne.safeParse(value).success).toBe(false);
  });
});

describe('DecimalString', () => {
  it.each(['10.00', '0', '-2.5'])('accepts %j', (value) => {
    expect(DecimalString.safeParse(value).success).toBe(true);
  });

  it.each([10, '10.', '1e3', ''])('rejects %j', (value) => {
    expect(DecimalString.safeParse(value).success).toBe(false);
  });
});

describe('DigitString', () => {
  it('accepts an id sent as a string', () => {
    expect(DigitString.safeParse('90909').success).toBe(true);
  });

  it.each([90909, '', '9a'])('rejects %j', (value) => {
    expect(DigitString.safeParse(value).success).toBe(false);
  });
});

describe('NumericId', () => {
  it('accepts an id sent as a number', () => {
    expect(NumericId.safeParse(90909).success).toBe(true);
  });

  it.each(['90909', 1.5])('rejects %j', (value) => {
    expect(NumericId.safeParse(value).success).toBe(false);
  });
});
