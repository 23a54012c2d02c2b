import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The routing the integration tests rely on, kept apart from the project's
 * own cdk.json, which is there to be edited: participation events to a FIFO
 * queue, projects and campaigns to a standard one, the rest to `unrouted`.
 */
export const SAMPLE_ROUTING = {
  queues: { volunteering: { fifo: true }, catalog: {}, unrouted: {} },
  organizations: {
    '1': [
      { events: ['participation.*'], queue: 'volunteering' },
      { events: ['project.*', 'campaign.*'], queue: 'catalog' },
    ],
  },
  unrouted: 'unrouted',
};

/** The queue key a sample type lands on under {@link SAMPLE_ROUTING}. */
export function expectedQueueOf(type: string): string {
  return type.startsWith('participation.') ? 'volunteering' : 'catalog';
}

/** Writes a cdk.json holding `vomo` as its routing config; returns its path. */
export function writeCdkJson(vomo: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vomo-relay-')), 'cdk.json');
  writeFileSync(path, JSON.stringify({ context: { vomo } }, null, 2));
  return path;
}
