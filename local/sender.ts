import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  encodeWireForm,
  readSample,
  SAMPLE_EVENT_TYPES,
} from '../events/index.js';
import { SIGNATURE_HEADER, signBody } from '../functions/receiver/signature.js';

/** Where the sender posts unless told otherwise: local mode's webhook. */
export const DEFAULT_SEND_URL = 'http://127.0.0.1:3000/vomo';

/** VOMO gives up on an answer after 3 s, and so does the sender. */
export const SEND_TIMEOUT_MS = 3_000;

/** What one `npm run send` invocation asks for. */
export interface SendRequest {
  /** A known event type or the path of a JSON file. */
  readonly event: string;
  readonly url: string;
  readonly key: string;
  readonly organizationId?: number;
}

/** The receiver's answer. */
export interface SendAnswer {
  readonly status: number;
  readonly body: string;
}

/** A mistake in what the sender was asked to do, told in one line. */
export class SendUsageError extends Error {
  override readonly name = 'SendUsageError';
}

/** One-line usage, shown with every usage mistake. */
export const SEND_USAGE =
  'usage: npm run send -- <event type | file.json> ' +
  '[--url URL] [--org ID] [--key KEY]';

/** Reads the command line; the key falls back to VOMO_SIGNING_KEY. */
export function parseSendArguments(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): SendRequest {
  let parsed: ReturnType<typeof parseSendOptions>;
  try {
    parsed = parseSendOptions(argv);
  } catch (error) {
    throw new SendUsageError((error as Error).message);
  }

  const [event, ...extra] = parsed.positionals;
  if (event === undefined || extra.length > 0) {
    throw new SendUsageError('name exactly one event type or file');
  }

  const key = parsed.values.key ?? env.VOMO_SIGNING_KEY;
  if (!key) {
    throw new SendUsageError(
      'no signing key: pass --key or set VOMO_SIGNING_KEY ' +
        '(npm start prints the key it accepts)',
    );
  }

  const { org } = parsed.values;
  return {
    event,
    url: parsed.values.url ?? DEFAULT_SEND_URL,
    key,
    ...(org === undefined ? {} : { organizationId: readOrganizationId(org) }),
  };
}

/**
 * The bytes to send: a known type's sample exactly as VOMO signs it, or a
 * file's JSON in VOMO's `json_encode` form. A new organization id means the
 * body is encoded again, since the signed text changes with it.
 */
export function buildEventBody(event: string, organizationId?: number): Buffer {
  const sample = SAMPLE_EVENT_TYPES.includes(event);
  if (!sample && !existsSync(event)) {
    throw new SendUsageError(
      `"${event}" is neither a known event type nor a file; known types: ` +
        SAMPLE_EVENT_TYPES.join(', '),
    );
  }

  if (sample && organizationId === undefined) {
    return readSample(event);
  }

  const value = readJson(sample ? readSample(event) : readFileSync(event));
  if (organizationId !== undefined) {
    setOrganizationId(value, organizationId, event);
  }

  return Buffer.from(encodeWireForm(value), 'utf8');
}

/** Signs the body as VOMO does and posts it; throws when nothing answers. */
export async function sendSignedEvent(
  url: string,
  body: Buffer,
  key: string,
): Promise<SendAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signBody(body, key),
      },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`no answer from ${url}: ${describeFetchError(error)}`);
  }

  return { status: response.status, body: await response.text() };
}

function parseSendOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      org: { type: 'string' },
      key: { type: 'string' },
    },
  });
}

function readOrganizationId(text: string): number {
  const id = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(id)) {
    throw new SendUsageError(`--org must be a positive whole number: ${text}`);
  }

  return id;
}

function readJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SendUsageError(
      `the event is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function setOrganizationId(value: unknown, id: number, event: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SendUsageError(`--org needs a JSON object, and ${event} is not`);
  }

  (value as Record<string, unknown>).organization_id = id;
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `nothing within ${SEND_TIMEOUT_MS / 1000} s`;
  }

  // fetch hides the socket's reason (ECONNREFUSED, ENOTFOUND) in its cause.
  const cause = (error as { cause?: { code?: string; message?: string } })
    .cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
