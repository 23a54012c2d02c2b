import * as z from 'zod/mini';
import { DecimalString, NumericId, UtcDateTime, ZeroOrOne } from './fields.js';

// Only ever seen as null; their types are read from their names.
const NullableText = z.nullable(z.string());
const NullableId = z.nullable(NumericId);

/** The role or shift a volunteer signed up for. */
export const ParticipationNeedSchema = z.looseObject({
  id: NumericId,
  name: z.string(),
  // No value set is documented: `role` is the only one seen.
  type: z.string(),
  capacity: z.nullable(z.number()),
  taken: z.number(),
});

/**
 * `data` of every `participation.*` event: one volunteer's sign-up.
 * Open: fields VOMO adds later are kept.
 */
export const ParticipationDataSchema = z.looseObject({
  id: NumericId,
  user_id: NumericId,
  happening_id: NumericId,
  happening_role_id: NumericId,
  parent_id: NullableId,
  quantity: z.number(),
  // Enums mix casings (`APPROVED`, `Assigned`) and have no documented
  // value set, so any string is accepted.
  status: z.string(),
  message: NullableText,
  volunteer_answer: NullableText,
  feedback: NullableText,
  checkin_at: NullableText,
  checkout_at: NullableText,
  token: z.string(),
  group_token: z.string(),
  user_status: z.string(),
  signup_method: z.string(),
  // A volunteer who signs up alone has no assigner.
  assigner_id: NullableId,
  brand: z.string(),
  created_at: UtcDateTime,
  updated_at: UtcDateTime,
  hours: DecimalString,
  verified: ZeroOrOne,
  kiosk_id: NullableId,
  need: ParticipationNeedSchema,
  project_id: NumericId,
  guests: z.number(),
});

/** `data` of every `participation.*` event. */
export type ParticipationData = z.infer<typeof ParticipationDataSchema>;
