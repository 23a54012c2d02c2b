/**
 * Writes `events/samples/<type>.json`: one body per known event type, in the
 * exact bytes VOMO signs (PHP `json_encode` form, no trailing newline).
 *
 * Documented payloads (`test/fixtures/documented/`) are used as they are.
 * The other types are derived from them: `updated` and `deleted` repeat the
 * object with a later `updated_at`, and `public` events describe an object
 * of another organization (2) delivered to organization 1. Every body must
 * fit the catalogue's types, or nothing is written. Output is the same on
 * every run.
 *
 * Run: npm run samples (or npx tsx local/make-samples.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  encodeWireForm,
  inspectEvent,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  parseEnvelope,
  type VomoEnvelope,
} from '../events/index.js';

const DOCUMENTED_DIR = new URL('../test/fixtures/documented/', import.meta.url);
const SAMPLES_DIR = new URL('../events/samples/', import.meta.url);

// The organization whose public objects reach organization 1 through the
// VOMO network; its non-ASCII name puts `\u00e9` into real sample bytes.
const OTHER_ORGANIZATION = {
  organization_id: 2,
  organization: 'Amigos de San José',
  organization_slug: 'amigos-de-san-jose',
};

const PUBLIC_PROJECT = {
  ...OTHER_ORGANIZATION,
  id: '90950',
  project_name: 'Pantry Sorting Crew',
  description:
    'Sort and shelve donated food at the San José pantry before ' +
    'Saturday distribution.',
  url: 'http://www.vomo.test/project/pantry-sorting-crew',
  author_id: 67890,
  created_at: '2021-04-05T13:10:00+00:00',
  updated_at: '2021-04-05T13:10:00+00:00',
  published_at: '2021-04-05T13:10:00+00:00',
  next_date: {
    type: 'project_date',
    id: 545480,
    starts_at: '2021-04-10T15:00:00+00:00',
  },
};

const PUBLIC_PROJECT_OWNER = {
  id: 12346,
  project_id: 90950,
  user_id: 131313,
  created_at: '2021-04-05 13:10:00',
  updated_at: '2021-04-05 13:10:00',
};

// An astral emoji, so a surrogate pair appears in sample bytes as well.
const PUBLIC_CAMPAIGN = {
  ...OTHER_ORGANIZATION,
  id: '10042',
  campaign_name: 'Winter Coat Drive 🧥',
  description: 'Coats for every child in the district before December.',
  url: 'http://www.vomo.test/campaign/winter-coat-drive-amigos',
  author_id: 67890,
  logo_url: 'https://s3.amazonaws.com/awakenmycity/k3/8A/s5-t.jpg',
  created_at: '2021-04-06T08:00:00+00:00',
  updated_at: '2021-04-06T08:00:00+00:00',
};

const projectCreated = readDocumented('project.created');
const publicProject = deriveEvent(projectCreated, 'project.public.created', {
  ...PUBLIC_PROJECT,
  owners: [{ ...readFirstOwner(projectCreated), ...PUBLIC_PROJECT_OWNER }],
});
const campaignCreated = readDocumented('campaign.created');
const publicCampaign = deriveEvent(
  campaignCreated,
  'campaign.public.created',
  PUBLIC_CAMPAIGN,
);
const participationUpdated = readDocumented('participation.updated');

const SAMPLES: Record<KnownEventType, VomoEnvelope> = {
  'project.created': projectCreated,
  'project.updated': deriveEvent(projectCreated, 'project.updated', {
    updated_at: '2021-03-30T16:02:11+00:00',
  }),
  'project.deleted': deriveEvent(projectCreated, 'project.deleted', {
    updated_at: '2021-04-02T09:45:30+00:00',
  }),
  'project.public.created': publicProject,
  'project.public.updated': deriveEvent(
    publicProject,
    'project.public.updated',
    { updated_at: '2021-04-07T10:20:30+00:00' },
  ),
  'project.public.deleted': deriveEvent(
    publicProject,
    'project.public.deleted',
    { updated_at: '2021-04-09T17:05:00+00:00' },
  ),
  'campaign.created': campaignCreated,
  'campaign.updated': readDocumented('campaign.updated'),
  'campaign.deleted': readDocumented('campaign.deleted'),
  'campaign.public.created': publicCampaign,
  'campaign.public.updated': deriveEvent(
    publicCampaign,
    'campaign.public.updated',
    { updated_at: '2021-04-06T11:30:00+00:00' },
  ),
  'campaign.public.deleted': deriveEvent(
    publicCampaign,
    'campaign.public.deleted',
    { updated_at: '2021-04-08T15:45:00+00:00' },
  ),
  'participation.created': readDocumented('participation.created'),
  'participation.updated': participationUpdated,
  'participation.deleted': deriveEvent(
    participationUpdated,
    'participation.deleted',
    { updated_at: '2021-04-01T09:12:47.000000Z' },
  ),
};

function readDocumented(type: KnownEventType): VomoEnvelope {
  const text = readFileSync(new URL(`${type}.json`, DOCUMENTED_DIR), 'utf8');
  const parsed = parseEnvelope(JSON.parse(text));

  if (!parsed.success || parsed.envelope.type !== type) {
    throw new Error(`The documented ${type} payload is not a ${type} event`);
  }
  return parsed.envelope;
}

function readFirstOwner(envelope: VomoEnvelope): Record<string, unknown> {
  const [owner] = envelope.data.owners as Record<string, unknown>[];

  if (owner === undefined) {
    throw new Error('The documented project has no owner to derive from');
  }
  return owner;
}

// Spreading keeps each field where it was, so derived bodies list their
// fields in the same order as the documented ones.
function deriveEvent(
  source: VomoEnvelope,
  type: KnownEventType,
  changes: Record<string, unknown>,
): VomoEnvelope {
  return { ...source, type, data: { ...source.data, ...changes } };
}

function checkSamples(): void {
  for (const type of KNOWN_EVENT_TYPES) {
    const sample = SAMPLES[type];
    const { drift } = inspectEvent(sample);

    if (sample.type !== type || drift.length > 0) {
      throw new Error(`The ${type} sample does not fit: ${drift.join(', ')}`);
    }
  }
}

function writeSamples(): void {
  for (const type of KNOWN_EVENT_TYPES) {
    writeFileSync(
      new URL(`${type}.json`, SAMPLES_DIR),
      encodeWireForm(SAMPLES[type]),
    );
  }
  console.log(`Wrote ${KNOWN_EVENT_TYPES.length} samples to events/samples/`);
}

checkSamples();
writeSamples();
