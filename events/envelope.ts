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

const EVENT_TYPE_PATTERN = /^[a-z0-9_]+\.(?:public\.)?[a-z0-9_]+$/;

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
            '(lowercase letters, digits, underscores)',
        }),
      ),
    organization_id: z
      .int({ error: (issue) => describeIdIssue(issue.input) })
      .check(z.positive({ error: 'must be positive' })),
    data: z.custom<Record<string, unknown>>(isJsonObject, {
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
    return { success: true, envelope: result.data };
  }

  const issues = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'envelope'}: ${issue.message}`,
  );
  return { success: false, issues };
}

/** Splits an event type that {@link parseEnvelope} has already accepted. */
export function describeEventType(type: string): EventTypeParts {
  const [object = '', second = '', third] = type.split('.');

  if (third === undefined) {
    return { object, action: second, isPublic: false };
  }
  return { object, action: third, isPublic: true };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
