import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ReceiverAnswer } from '../functions/receiver/answers.js';

/** The one path the webhook answers on, as in the deployed HTTP API. */
export const WEBHOOK_PATH = '/vomo';

/** An HTTP API refuses larger payloads before the function ever runs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * VOMO gives up after 3 s, so a request still arriving after this is no
 * delivery: node:http answers it 408 and closes the connection.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

// How often node:http looks for requests that have outlived the timeout.
const TIMEOUT_CHECK_INTERVAL_MS = 500;

const URL_BASE = 'http://localhost';

/** What the gateway calls with each webhook request. */
export type GatewayHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<ReceiverAnswer>;

/** A running local gateway and the way to stop it. */
export interface HttpGateway {
  readonly url: string;
  close(): Promise<void>;
}

/** Where the gateway listens; port 0 picks a free one. */
export interface HttpGatewayOptions {
  readonly port: number;
  readonly host: string;
}

/** What the gateway knows about a request beyond the request itself. */
export interface RequestFacts {
  readonly requestId: string;
  readonly receivedAt: Date;
}

const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/**
 * Describes a node:http request as an HTTP API payload 2.0 event. The body is
 * always base64, so the handler sees the bytes that were sent, whatever they
 * are; header names arrive lowercase and repeated headers are comma-joined.
 */
export function toHttpApiEvent(
  request: IncomingMessage,
  body: Buffer,
  facts: RequestFacts,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', URL_BASE);
  const method = request.method ?? 'GET';
  const headers = joinHeaders(request.headersDistinct);
  const cookies = headers.cookie?.split(/;\s*/);
  delete headers.cookie;

  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...readQuery(url.searchParams),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: readSourceIp(request),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: facts.requestId,
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: formatRequestTime(facts.receivedAt),
      timeEpoch: facts.receivedAt.getTime(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * Starts a node:http server that hands every request on the webhook path to
 * the handler, as API Gateway would, and answers 404 anywhere else.
 */
export async function startHttpGateway(
  handler: GatewayHandler,
  options: HttpGatewayOptions,
): Promise<HttpGateway> {
  const timeouts = {
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const server = createServer(timeouts, (request, response) => {
    // A client that hangs up mid-body must not take the server down.
    serveRequest(handler, request, response).catch(() => response.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A client holding a keep-alive connection must not delay shutdown.
        server.closeAllConnections();
      }),
  };
}

async function serveRequest(
  handler: GatewayHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  response.setHeader('apigw-requestid', requestId);

  const body = await readBody(request);
  if (body === undefined) {
    writeAnswer(response, 413, { message: 'Request Entity Too Large' });
    return;
  }

  const target = request.url ?? '/';
  if (!URL.canParse(target, URL_BASE)) {
    writeAnswer(response, 400, { message: 'Bad Request' });
    return;
  }

  if (new URL(target, URL_BASE).pathname !== WEBHOOK_PATH) {
    writeAnswer(response, 404, { message: 'Not Found' });
    return;
  }

  const event = toHttpApiEvent(request, body, {
    requestId,
    receivedAt: new Date(),
  });
  try {
    const answer = await handler(event);
    response.writeHead(answer.statusCode, toHeaderPairs(answer.headers));
    response.end(
      Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8'),
    );
  } catch {
    writeAnswer(response, 500, { message: 'Internal Server Error' });
  }
}

// Reading stops at the limit so the 413 goes out at once. The connection is
// left open for the client to read it, and node:http reads no more of the
// body: the request timeout closes a client that keeps on sending.
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length']) > MAX_REQUEST_BYTES) {
    return undefined;
  }

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    if (total > MAX_REQUEST_BYTES) {
      return undefined;
    }
    chunks.push(bytes);
  }

  return Buffer.concat(chunks);
}

function writeAnswer(
  response: ServerResponse,
  status: number,
  body: object,
): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function joinHeaders(headers: NodeJS.Dict<string[]>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (values !== undefined) {
      joined[name] = values.join(',');
    }
  }

  return joined;
}

function readQuery(
  params: URLSearchParams,
): Pick<APIGatewayProxyEventV2, 'queryStringParameters'> {
  const names = [...new Set(params.keys())];
  if (names.length === 0) {
    return {};
  }

  const query = Object.fromEntries(
    names.map((name) => [name, params.getAll(name).join(',')]),
  );
  return { queryStringParameters: query };
}

function readSourceIp(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function toHeaderPairs(
  headers: ReceiverAnswer['headers'],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
}

/** API Gateway's request time format: `15/Jan/2024:12:00:00 +0000`. */
function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = pad(date.getUTCDate());
  const month = MONTHS[date.getUTCMonth()];
  const clock = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map(pad)
    .join(':');

  return `${day}/${month}/${date.getUTCFullYear()}:${clock} +0000`;
}
