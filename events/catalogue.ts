import type * as z from 'zod/mini';
import { type CampaignData, CampaignDataSchema } from './campaign.js';
import { describeEventType, type VomoEnvelope } from './envelope.js';
import {
  type ParticipationData,
  ParticipationDataSchema,
} from './participation.js';
import { type ProjectData, ProjectDataSchema } from './project.js';

/** Every event type this catalogue has a data type for. */
export const KNOWN_EVENT_TYPES = [
  'project.created',
  'project.updated',
  'project.deleted',
  'project.public.created',
  'project.public.updated',
  'project.public.deleted',
  'campaign.created',
  'campaign.updated',
  'campaign.deleted',
  'campaign.public.created',
  'campaign.public.updated',
  'campaign.public.deleted',
  'participation.created',
  'participation.updated',
  'participation.deleted',
] as const;

/** One of {@link KNOWN_EVENT_TYPES}. */
export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

/** The six `project.*` types, public ones included. */
export type ProjectEventType = Extract<KnownEventType, `project.${string}`>;
/** The six `campaign.*` types, public ones included. */
export type CampaignEventType = Extract<KnownEventType, `campaign.${string}`>;
/** The three `participation.*` types. */
export type ParticipationEventType = Extract<
  KnownEventType,
  `participation.${string}`
>;

interface KnownEventOf<Type extends KnownEventType, Data> {
  known: true;
  type: Type;
  organization_id: number;
  data: Data;
}

/** An event about a project (an Opportunity). */
export type ProjectEvent = KnownEventOf<ProjectEventType, ProjectData>;
/** An event about a campaign (an Initiative). */
export type CampaignEvent = KnownEventOf<CampaignEventType, CampaignData>;
/** An event about one volunteer's sign-up. */
export type ParticipationEvent = KnownEventOf<
  ParticipationEventType,
  ParticipationData
>;

/** An event of a known type; `switch (event.type)` narrows `event.data`. */
export type KnownVomoEvent = ProjectEvent | CampaignEvent | ParticipationEvent;

/** A verified event of a type this catalogue does not know yet. */
export interface UnknownVomoEvent {
  known: false;
  type: string;
  organization_id: number;
  data: Record<string, unknown>;
}

/**
 * Any VOMO event. Check `event.known` first: only then does
 * `switch (event.type)` narrow `event.data` to the object's data type.
 */
export type VomoEvent = KnownVomoEvent | UnknownVomoEvent;

/** What {@link inspectEvent} learned about one envelope. */
export interface InspectedEvent {
  event: VomoEvent;
  drift: string[];
}

const DATA_SCHEMAS = {
  project: ProjectDataSchema,
  campaign: CampaignDataSchema,
  participation: ParticipationDataSchema,
} as const;

/** Tells whether an event type is one of {@link KNOWN_EVENT_TYPES}. */
export function isKnownEventType(type: string): type is KnownEventType {
  return (KNOWN_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Gives a typed view of a verified envelope, never failing: `event.data` is
 * the envelope's own object, and `drift` lists the paths where it does not
 * fit its type (`data.owners.0.project_id`), never the values found there.
 */
export function inspectEvent(envelope: VomoEnvelope): InspectedEvent {
  const { type, organization_id, data } = envelope;

  if (!isKnownEventType(type)) {
    return { event: { known: false, type, organization_id, data }, drift: [] };
  }

  const object = describeEventType(type).object as keyof typeof DATA_SCHEMAS;
  const drift = findDrift(DATA_SCHEMAS[object], data);

  // The parsed copy is dropped on purpose: a value that drifted stays as
  // VOMO sent it rather than being replaced or removed.
  const event = { known: true, type, organization_id, data } as KnownVomoEvent;
  return { event, drift };
}

// A body with a great many misfits makes the schema library overflow the
// stack while it gathers them; the event must still be read, so its data is
// then reported as drifting as a whole.
function findDrift(schema: z.ZodMiniType, data: unknown): string[] {
  try {
    const result = schema.safeParse(data);
    return result.success ? [] : listDriftPaths(result.error.issues);
  } catch {
    return ['data'];
  }
}

function listDriftPaths(
  issues: readonly { path: readonly PropertyKey[] }[],
): string[] {
  const paths = issues.map((issue) =>
    ['data', ...issue.path.map(String)].join('.'),
  );
  return [...new Set(paths)];
}
