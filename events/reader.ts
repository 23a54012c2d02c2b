import { type InspectedEvent, inspectEvent } from './catalogue.js';
import { parseEnvelopeText } from './envelope.js';

/** The outcome of {@link readEvent}: a typed event, or what is wrong. */
export type ReadEventResult =
  | ({ success: true } & InspectedEvent)
  | { success: false; issues: string[] };

/**
 * Reads a body the receiver forwarded (already verified) into a typed event
 * with its drift paths. Issues never quote the body.
 */
export function readEvent(body: string): ReadEventResult {
  const parsed = parseEnvelopeText(body);

  if (!parsed.success) {
    return { success: false, issues: parsed.issues };
  }
  return { success: true, ...inspectEvent(parsed.envelope) };
}
