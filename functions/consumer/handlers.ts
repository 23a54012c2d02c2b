import type {
  CampaignEvent,
  ParticipationEvent,
  ProjectEvent,
} from '../../events/index.js';
import type {
  EventHandler,
  EventHandlers,
  HandlerContext,
} from './consumer.js';

// This file is where an application's own work goes: replace the log lines
// with calls to your systems. A handler that throws sends its record back to
// the queue to be tried again. Each event may arrive more than once, so make
// the work idempotent (an upsert keyed on `event.data.id`, for example).

/** Logs a volunteer's sign-up, or a change to it. */
export function logParticipation(
  event: ParticipationEvent,
  { logger, metadata }: HandlerContext,
): void {
  const { data } = event;

  logger.info(`participation ${metadata.action}`, {
    participationId: data.id,
    userId: data.user_id,
    projectId: data.project_id,
    status: data.status,
    hours: data.hours,
  });
}

/** Logs a change to a project (an Opportunity), public ones included. */
export function logProject(
  event: ProjectEvent,
  { logger, metadata }: HandlerContext,
): void {
  const { data } = event;

  logger.info(`project ${metadata.action}`, {
    projectId: data.id,
    ownerOrganizationId: data.organization_id,
    isPublic: metadata.isPublic,
    draft: data.draft,
    nextStartsAt: data.next_date?.starts_at ?? null,
  });
}

/** Logs a change to a campaign (an Initiative), public ones included. */
export function logCampaign(
  event: CampaignEvent,
  { logger, metadata }: HandlerContext,
): void {
  const { data } = event;

  logger.info(`campaign ${metadata.action}`, {
    campaignId: data.id,
    ownerOrganizationId: data.organization_id,
    isPublic: metadata.isPublic,
  });
}

/**
 * Takes every event without a handler of its own, including types VOMO adds
 * later: they are logged and acknowledged, so they never pile up in the queue.
 */
export const logUnhandled: EventHandler = (event, { logger }) => {
  logger.info('event not handled', { known: event.known });
};

/** The handlers the deployed consumer runs; add, remove or replace freely. */
export const HANDLERS = {
  'participation.created': logParticipation,
  'participation.updated': logParticipation,
  'participation.deleted': logParticipation,
  'project.created': logProject,
  'project.updated': logProject,
  'project.deleted': logProject,
  'project.public.created': logProject,
  'project.public.updated': logProject,
  'project.public.deleted': logProject,
  'campaign.created': logCampaign,
  'campaign.updated': logCampaign,
  'campaign.deleted': logCampaign,
  'campaign.public.created': logCampaign,
  'campaign.public.updated': logCampaign,
  'campaign.public.deleted': logCampaign,
  default: logUnhandled,
} satisfies EventHandlers;
