import { readFileSync } from 'node:fs';
import { KNOWN_EVENT_TYPES } from './catalogue.js';

/** Event types with a sample body in `events/samples/`: every known type. */
export const SAMPLE_EVENT_TYPES: readonly string[] = KNOWN_EVENT_TYPES;

/**
 * Returns the exact wire-form bytes of the sample body for an event type,
 * as VOMO would sign them. Throws when the catalogue has no such sample.
 */
export function readSample(type: string): Buffer {
  if (!SAMPLE_EVENT_TYPES.includes(type)) {
    throw new Error(`No sample body exists for event type "${type}"`);
  }

  // Resolved on each call so that bundling this module costs nothing
  // where samples are never read.
  const file = new URL(`./samples/${type}.json`, import.meta.url);

  try {
    return readFileSync(file);
  } catch (cause) {
    throw new Error(`The sample body for event type "${type}" is missing`, {
      cause,
    });
  }
}
