import * as z from 'zod/mini';
import {
  DigitString,
  LocalDateTime,
  NumericId,
  ZeroOrOne,
  ZonedDateTime,
} from './fields.js';

// A geocoder leaves out the parts it cannot resolve for a place.
const OptionalText = z.optional(z.nullable(z.string()));

/** One owner of a project; its dates carry no zone, unlike the project's. */
export const ProjectOwnerSchema = z.looseObject({
  id: NumericId,
  project_id: NumericId,
  user_id: NumericId,
  is_primary_owner: ZeroOrOne,
  send_notifications: ZeroOrOne,
  created_at: LocalDateTime,
  updated_at: LocalDateTime,
});

/** A geocoded place; only `timezone` is always there. */
export const ProjectAddressSchema = z.looseObject({
  timezone: z.string(),
  lat: z.optional(z.number()),
  lng: z.optional(z.number()),
  venue: OptionalText,
  formatted_address: OptionalText,
  street_number: OptionalText,
  street_number_short: OptionalText,
  route: OptionalText,
  route_short: OptionalText,
  locality: OptionalText,
  locality_short: OptionalText,
  administrative_area_level_1: OptionalText,
  administrative_area_level_1_short: OptionalText,
  postal_code: OptionalText,
  postal_code_short: OptionalText,
  country: OptionalText,
  country_short: OptionalText,
});

/** The next date a project happens on. */
export const ProjectDateSchema = z.looseObject({
  type: z.string(),
  id: NumericId,
  starts_at: ZonedDateTime,
});

/**
 * `data` of every `project.*` event (an Opportunity in VOMO's interface).
 * Open: fields VOMO adds later are kept.
 */
export const ProjectDataSchema = z.looseObject({
  type: z.literal('project'),
  id: DigitString,
  project_name: z.string(),
  description: z.nullable(z.string()),
  url: z.string(),
  organization_id: NumericId,
  organization: z.string(),
  organization_slug: z.string(),
  author_id: z.nullable(NumericId),
  owners: z.array(ProjectOwnerSchema),
  address: ProjectAddressSchema,
  anytime: ZeroOrOne,
  created_at: ZonedDateTime,
  updated_at: ZonedDateTime,
  // A draft is not published yet.
  published_at: z.nullable(ZonedDateTime),
  draft: z.boolean(),
  // Only ever seen empty, so their items are left untyped.
  campaigns: z.array(z.unknown()),
  form_completions: z.array(z.unknown()),
  // A project open at any time has no next date.
  next_date: z.nullable(ProjectDateSchema),
});

/** `data` of every `project.*` event. */
export type ProjectData = z.infer<typeof ProjectDataSchema>;
