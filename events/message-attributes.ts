/**
 * Names of the SQS message attributes the receiver puts on every forwarded
 * event; consumers read them back, and queue filters can match on them.
 */
export const MESSAGE_ATTRIBUTE = {
  type: 'vomo-type',
  organizationId: 'vomo-organization-id',
  object: 'vomo-object',
  action: 'vomo-action',
  isPublic: 'vomo-public',
  bodySha256: 'vomo-body-sha256',
  receivedAt: 'vomo-received-at',
  requestId: 'vomo-request-id',
} as const;

/** The name of one attribute in {@link MESSAGE_ATTRIBUTE}. */
export type MessageAttributeName =
  (typeof MESSAGE_ATTRIBUTE)[keyof typeof MESSAGE_ATTRIBUTE];
