import { parseEnvelopeText, type VomoEnvelope } from '../../events/index.js';
import type { RejectionReason } from './answers.js';

/** The body's text and envelope, or why the body is not a VOMO event. */
export type EnvelopeRead =
  | { readonly success: true; envelope: VomoEnvelope; text: string }
  | {
      readonly success: false;
      reason: RejectionReason;
      /** Envelope rules broken, as paths and rules; never values. */
      issues?: readonly string[];
    };

// SQS refuses a few code points that JSON allows unescaped in strings.
const UNSENDABLE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads the raw bytes as strict UTF-8 JSON and checks the envelope. The text
 * returned is the bytes as sent, decoded, never re-serialized.
 */
export function readEnvelope(body: Buffer): EnvelopeRead {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { success: false, reason: 'body-not-json' };
  }

  const parsed = parseEnvelopeText(text);
  if (!parsed.success) {
    return parsed.problem === 'not-json'
      ? { success: false, reason: 'body-not-json' }
      : { success: false, reason: 'envelope-invalid', issues: parsed.issues };
  }

  if (UNSENDABLE.test(text)) {
    return { success: false, reason: 'body-not-sendable' };
  }

  return { success: true, envelope: parsed.envelope, text };
}
