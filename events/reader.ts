import { type InspectedEvent, inspectEvent } from './catalogue.js';
import { parseEnvelope } from './envelope.js';

/** The outcome of {@link readEvent}: a typed event, or what is wrong. */
export type ReadEventResult =
  | ({ success: true } & InspectedEvent)
  | { success: false; issues: string[] };

/**
 * Reads a body the receiver forwarded (already verified) into a typed event
 * with its drift paths. Issues never quote the body.
 */
export function readEvent(body: string): ReadEventResult {
  let value: unknown;

  // The parser's own message would quote part of the body.
  try {
    value = JSON.parse(body);
  } catch {
    return { success: false, issues: ['body: is not valid JSON'] };
  }

  const parsed = parseEnvelope(value);

  if (!parsed.success) {
    return parsed;
  }
  return { success: true, ...inspectEvent(parsed.envelope) };
}
