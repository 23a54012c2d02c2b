// PHP writes a float in exponent form from 1e17 up and below 1e-4
// (`1.0e+17`, `1.0e-5`), where JavaScript waits for 1e21 and 1e-6. An
// integer that large might have been a PHP int, written out in full, but
// VOMO's ids are nowhere near it.
const PHP_EXPONENT_FROM = 17;
const PHP_EXPONENT_BELOW = -4;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const FIRST_CONTROL_FREE = 0x20;
const LAST_ASCII = 0x7f;

/**
 * Serializes like PHP `json_encode` with default flags, the text VOMO signs:
 * no whitespace, `\/`, every non-ASCII UTF-16 unit as lowercase `\uXXXX`.
 * Object keys that look like array indexes come first, as JavaScript orders
 * them, so a parsed body with such keys out of order does not round-trip.
 */
export function encodeWireForm(value: unknown): string {
  if (value === null) {
    return 'null';
  }

  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return encodeNumber(value);
    case 'string':
      return encodeString(value);
    case 'object':
      return Array.isArray(value)
        ? `[${value.map(encodeWireForm).join(',')}]`
        : encodeObject(value);
    default:
      throw new TypeError(
        `encodeWireForm cannot encode a value of type ${typeof value}`,
      );
  }
}

function encodeObject(value: object): string {
  const prototype = Object.getPrototypeOf(value);

  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError('encodeWireForm encodes plain objects only');
  }

  const members = Object.entries(value).map(
    ([key, member]) => `${encodeString(key)}:${encodeWireForm(member)}`,
  );
  return `{${members.join(',')}}`;
}

function encodeString(text: string): string {
  let encoded = '"';

  for (let index = 0; index < text.length; index += 1) {
    encoded += encodeCodeUnit(text.charCodeAt(index));
  }
  return `${encoded}"`;
}

function encodeCodeUnit(unit: number): string {
  const character = String.fromCharCode(unit);
  const short = SHORT_ESCAPES[character];

  if (short !== undefined) {
    return short;
  }
  if (unit < FIRST_CONTROL_FREE || unit > LAST_ASCII) {
    return `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return character;
}

function encodeNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TypeError('encodeWireForm cannot encode NaN or Infinity');
  }

  // PHP keeps the sign of a negative zero float; JavaScript drops it.
  if (Object.is(value, -0)) {
    return '-0';
  }

  const [mantissa = '', exponentText = ''] = value.toExponential().split('e');
  const exponent = Number(exponentText);

  if (exponent < PHP_EXPONENT_FROM && exponent >= PHP_EXPONENT_BELOW) {
    return String(value);
  }

  const fraction = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  const sign = exponent < 0 ? '-' : '+';
  return `${fraction}e${sign}${Math.abs(exponent)}`;
}
