import * as z from 'zod/mini';
import { DigitString, NumericId, ZonedDateTime } from './fields.js';

/**
 * `data` of every `campaign.*` event (an Initiative in VOMO's interface).
 * Open: fields VOMO adds later are kept.
 */
export const CampaignDataSchema = z.looseObject({
  type: z.literal('campaign'),
  id: DigitString,
  campaign_name: z.string(),
  description: z.nullable(z.string()),
  url: z.string(),
  organization: z.string(),
  organization_slug: z.string(),
  organization_id: NumericId,
  author_id: z.nullable(NumericId),
  // A campaign need not have a logo uploaded.
  logo_url: z.nullable(z.string()),
  created_at: ZonedDateTime,
  updated_at: ZonedDateTime,
});

/** `data` of every `campaign.*` event. */
export type CampaignData = z.infer<typeof CampaignDataSchema>;
