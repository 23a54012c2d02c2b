import * as z from 'zod/mini';

/** The outer shape of every VOMO webhook body, whatever the event. */
export interface VomoEnvelope {
  type: string;
  organization_id: number;
  data: Record<string, unknown>;
}

/** The outcome of {@link parseEnvelope}: the envelope, or what is wrong. */
export type EnvelopeResult =
  | { success: true; envelope: VomoEnvelope }
  | { success: false; issues: string[] };

/** An event type split into its parts: `project.public.created`. */
export interface EventTypeParts {
  object: string;
  action: string;
  isPublic: boolean;
}

/** Longest event type accepted; real ones are far shorter. */
export const EVENT_TYPE_MAX_CHARS = 100;

// The documented types are lowercase snake case; capitals and dashes are
// allowed too, since a verified event of a type VOMO adds later must be
// forwarded, and a 400 would lose it after VOMO's three tries.
const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]+\.(?:public\.)?[A-Za-z0-9_-]+$/;

// Every message names a rule and never the value: the envelope is read
// before the signature is checked, so its content is untrusted.
const EnvelopeSchema = z.object(
  {
    type: z
      .string({ error: (issue) => describeTypeIssue(issue.input, 'string') })
      .check(
        z.maxLength(EVENT_TYPE_MAX_CHARS, {
          error: `must be at most ${EVENT_TYPE_MAX_CHARS} characters`,
        }),
        z.regex(EVENT_TYPE_PATTERN, {
          error:
            'must read object.action or object.public.action ' +
            '(letters, digits, "_" or "-")',
        }),
      ),
    organization_id: z
      .int({ error: (issue) => describeIdIssue(issue.input) })
      .check(z.positive({ error: 'must be positive' })),
    data: z.custom<Record<string, unknown> | []>(isEventData, {
      error: (issue) => describeTypeIssue(issue.input, 'JSON object'),
    }),
  },
  { error: 'must be a JSON object' },
);

/**
 * Checks an already parsed body against the envelope rules, leaving `data`
 * unread. Extra top-level fields are ignored, so a field VOMO adds later
 * cannot turn every delivery into a rejection.
 */
export function parseEnvelope(value: unknown): EnvelopeResult {
  const result = EnvelopeSchema.safeParse(value);

  if (result.success) {
    const { type, organization_id, data } = result.data;
    // PHP's json_encode writes an empty map as `[]`: the same empty data.
    const envelope = {
      type,
      organization_id,
      data: Array.isArray(data) ? {} : data,
    };
    return { success: true, envelope };
  }

  const issues = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'envelope'}: ${issue.message}`,
  );
  return { success: false, issues };
}

/** The outcome of {@link parseEnvelopeText}: the envelope, or what is wrong. */
export type EnvelopeTextResult =
  | { success: true; envelope: VomoEnvelope }
  | { success: false; problem: 'not-json' | 'not-envelope'; issues: string[] };

/**
 * Parses a body's text as JSON and checks its envelope. The issues never
 * quote the text, as the JSON parser's own message would.
 */
export function parseEnvelopeText(text: string): EnvelopeTextResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      success: false,
      problem: 'not-json',
      issues: ['body: is not valid JSON'],
    };
  }

  const parsed = parseEnvelope(value);
  if (!parsed.success) {
    return { success: false, problem: 'not-envelope', issues: parsed.issues };
  }
  return parsed;
}

/** Splits an event type that {@link parseEnvelope} has already accepted. */
export function describeEventType(type: string): EventTypeParts {
  const [object = '', second = '', third] = type.split('.');

  if (third === undefined) {
    return { object, action: second, isPublic: false };
  }
  return { object, action: third, isPublic: true };
}

function isEventData(value: unknown): value is Record<string, unknown> | [] {
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  return typeof value === 'object' && value !== null;
}

function describeTypeIssue(input: unknown, expected: string): string {
  return input === undefined ? 'is required' : `must be a ${expected}`;
}

function describeIdIssue(input: unknown): string {
  if (typeof input === 'number') {
    return 'must be a safe integer';
  }
  return describeTypeIssue(input, 'number');
}
