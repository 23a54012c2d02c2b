import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  LambdaFunctionURLEvent,
} from 'aws-lambda';
import { SIGNATURE_HEADER } from './signature.js';

/** Events of an HTTP API (2.0), a REST API (1.0) or a function URL. */
export type ReceiverEvent =
  | APIGatewayProxyEventV2
  | APIGatewayProxyEvent
  | LambdaFunctionURLEvent;

/** The parts of a request the receiver uses, whatever front door it took. */
export interface IncomingRequest {
  readonly method: string;
  readonly body: Buffer;
  readonly signature: string | undefined;
  readonly requestId: string;
}

/** Normalizes a Lambda HTTP event; the body stays the bytes that were sent. */
export function readRequest(event: ReceiverEvent): IncomingRequest {
  const body = event.body ?? '';

  return {
    method:
      'httpMethod' in event
        ? event.httpMethod
        : event.requestContext.http.method,
    body: Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8'),
    signature: readSignatureHeader(event),
    requestId: event.requestContext.requestId || randomUUID(),
  };
}

function readSignatureHeader(event: ReceiverEvent): string | undefined {
  // A REST API keeps every copy of a repeated header; joined, two copies can
  // never pass as one signature, so a second header fails closed.
  if ('multiValueHeaders' in event && event.multiValueHeaders) {
    const values = findHeader(event.multiValueHeaders);
    if (values !== undefined) {
      return values.join(',');
    }
  }

  return findHeader(event.headers ?? {});
}

function findHeader<T>(
  headers: Readonly<Record<string, T | undefined>>,
): T | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === SIGNATURE_HEADER) {
      return value;
    }
  }

  return undefined;
}
