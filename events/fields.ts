import * as z from 'zod/mini';

/** A date-time with an offset, `2021-03-29T21:25:37+00:00` (projects). */
export const ZonedDateTime = z.iso.datetime({ offset: true });

/** A date-time with no zone at all, `2021-03-29 21:25:37` (owners). */
export const LocalDateTime = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/));

/** A UTC date-time in microseconds, `2021-03-30T15:29:03.000000Z`. */
export const UtcDateTime = z.iso.datetime();

/** A boolean sent as the number `0` or `1`. */
export const ZeroOrOne = z.literal([0, 1]);

/** A decimal number sent as a string, `"10.00"`. */
export const DecimalString = z.string().check(z.regex(/^-?\d+(?:\.\d+)?$/));

/** An id sent as a string of digits, `"90909"` (projects, campaigns). */
export const DigitString = z.string().check(z.regex(/^\d+$/));

/** An id sent as a number, as every id but a project's or campaign's. */
export const NumericId = z.int();
