export {
  hashBody,
  isSha256Hex,
  verifyBody,
  verifyDigest,
} from './body-integrity.js';
export {
  type CampaignData,
  CampaignDataSchema,
} from './campaign.js';
export {
  type CampaignEvent,
  type CampaignEventType,
  type InspectedEvent,
  inspectEvent,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  type KnownVomoEvent,
  type ParticipationEvent,
  type ParticipationEventType,
  type ProjectEvent,
  type ProjectEventType,
  type UnknownVomoEvent,
  type VomoEvent,
} from './catalogue.js';
export {
  describeEventType,
  type EnvelopeResult,
  type EnvelopeTextResult,
  EVENT_TYPE_MAX_CHARS,
  type EventTypeParts,
  parseEnvelope,
  parseEnvelopeText,
  type VomoEnvelope,
} from './envelope.js';
export {
  MESSAGE_ATTRIBUTE,
  type MessageAttributeName,
} from './message-attributes.js';
export {
  type ParticipationData,
  ParticipationDataSchema,
} from './participation.js';
export {
  type ProjectData,
  ProjectDataSchema,
} from './project.js';
export { type ReadEventResult, readEvent } from './reader.js';
export {
  type LambdaQueueRecord,
  type QueueRecord,
  RECORD_ERROR_CODES,
  type ReadRecordResult,
  type RecordError,
  type RecordErrorCode,
  type RecordMetadata,
  readVomoRecord,
  type SdkQueueMessage,
} from './record-reader.js';
export { readSample, SAMPLE_EVENT_TYPES } from './samples.js';
export { encodeWireForm } from './wire-form.js';
