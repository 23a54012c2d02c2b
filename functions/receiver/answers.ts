import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Every way a request can fail, and the status VOMO is answered with. */
export const REJECTION_STATUS = {
  'method-not-allowed': 405,
  'body-too-large': 413,
  'signature-missing': 401,
  'signature-malformed': 401,
  'signature-mismatch': 401,
  'organization-unknown': 401,
  'body-not-json': 400,
  'body-not-sendable': 400,
  'envelope-invalid': 400,
  'internal-error': 500,
  'key-store-unavailable': 503,
  'queue-unavailable': 503,
} as const;

export type RejectionReason = keyof typeof REJECTION_STATUS;

/** The answer shape a REST API, an HTTP API and a function URL all accept. */
export type ReceiverAnswer = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  body: string;
};

/**
 * One fixed message per status: a caller learns nothing from a 401 about
 * which check failed, and no answer ever echoes what was sent.
 */
const MESSAGE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'Bad request: the body is not a VOMO event',
  401: 'Unauthorized',
  405: 'Method not allowed: use POST',
  413: 'Payload too large',
  500: 'Internal error: try again later',
  503: 'Service unavailable: try again later',
};

/** The answer for a delivery every queue accepted. */
export function answerAccepted(): ReceiverAnswer {
  return toAnswer(200, { status: 'accepted' });
}

/** The answer for a rejected or failed delivery. */
export function answerRejected(reason: RejectionReason): ReceiverAnswer {
  const status = REJECTION_STATUS[reason];
  const answer = toAnswer(status, { message: MESSAGE_BY_STATUS[status] });

  if (status === 405) {
    answer.headers = { ...answer.headers, allow: 'POST' };
  }

  return answer;
}

function toAnswer(statusCode: number, body: object): ReceiverAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
