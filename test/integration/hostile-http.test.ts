import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { readSample } from '../../events/index.js';
import { MAX_BODY_BYTES } from '../../functions/receiver/handler.js';
import { signBody } from '../../functions/receiver/signature.js';
import {
  MAX_REQUEST_BYTES,
  REQUEST_TIMEOUT_MS,
} from '../../local/http-gateway.js';
import { TEST_SIGNING_KEY, UNKNOWN_KEY } from '../fixtures/keys.js';
import { captureOutput } from '../fixtures/output.js';
import { drainBodies, useEmbeddedRelay } from './relay-queues.js';

/** Put into hostile requests; must never be written by the relay. */
const MARKER = 'marker-3a9d61f2';

const SAMPLE = readSample('project.created');
const SIGNATURE = signBody(SAMPLE, TEST_SIGNING_KEY);

/** Room for node:http to notice a timeout and close the connection. */
const TIMEOUT_SLACK_MS = 2_000;

/** No exchange in this file waits longer than this for an answer. */
const EXCHANGE_CAP_MS = REQUEST_TIMEOUT_MS + 3 * TIMEOUT_SLACK_MS;

/** An endless upload is given up by the client after this many bytes. */
const UPLOAD_CAP_BYTES = 8 * MAX_REQUEST_BYTES;

const local = useEmbeddedRelay();
let webhookUrl: string;
let port: number;
let output: string[] = [];

beforeAll(() => {
  webhookUrl = local.relay().url;
  port = Number(new URL(webhookUrl).port);
});

beforeEach(async () => {
  await drainAll();
  output = captureOutput();
});

// Every attack in this file is also a check that nothing secret is written.
afterEach(() => {
  vi.restoreAllMocks();

  const written = output.join('');
  for (const secret of [TEST_SIGNING_KEY, SIGNATURE, MARKER]) {
    expect(written).not.toContain(secret);
  }
});

/** What came back over one raw connection, and whether it was closed. */
interface Exchange {
  readonly status: number | undefined;
  readonly headers: string;
  readonly closed: boolean;
  /** Until the server closed the connection, or the cap passed. */
  readonly elapsedMs: number;
  /** Until the first byte of an answer, if one came. */
  readonly answeredMs: number | undefined;
}

/**
 * Writes raw bytes to the relay and reads until the server closes the
 * connection or the cap passes; `pieces` are written one at a time.
 */
function exchange(...pieces: (Buffer | string)[]): Promise<Exchange> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let answeredMs: number | undefined;

    const finish = (closed: boolean) => {
      clearTimeout(cap);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const [head = ''] = text.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        headers: head.toLowerCase(),
        closed,
        elapsedMs: performance.now() - startedAt,
        answeredMs,
      });
    };
    const cap = setTimeout(() => finish(false), EXCHANGE_CAP_MS);

    socket.on('data', (chunk) => {
      answeredMs ??= performance.now() - startedAt;
      received.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    for (const piece of pieces) {
      socket.write(piece);
    }
  });
}

/** A raw POST of the sample with these request-line target and headers. */
function rawPost(
  target: string,
  headers: readonly string[] = [`vomo-signature: ${SIGNATURE}`],
  body: Buffer = SAMPLE,
): Buffer {
  const head = [
    `POST ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    'Connection: close',
    `X-Forwarded-Note: ${MARKER}`,
    ...headers,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]);
}

/** Streams a chunked body until an answer comes or the cap is reached. */
function streamEndlessly(): Promise<{ status: number; written: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    let answered = false;

    const outgoing = httpRequest(
      webhookUrl,
      { method: 'POST', headers: { 'vomo-signature': SIGNATURE } },
      (answer) => {
        answered = true;
        answer.resume();
        resolve({ status: answer.statusCode ?? 0, written });
        outgoing.destroy();
      },
    );
    outgoing.on('error', (error) => {
      if (!answered) {
        reject(error);
      }
    });

    const pump = () => {
      while (!answered && written < UPLOAD_CAP_BYTES) {
        written += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      outgoing.end();
    };
    pump();
  });
}

/** Sends the sample signed, in several chunks of a chunked body. */
function postInChunks(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      webhookUrl,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'vomo-signature': signBody(body, TEST_SIGNING_KEY),
        },
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => resolve(answer.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    const third = Math.ceil(body.length / 3);
    outgoing.write(body.subarray(0, third));
    outgoing.write(body.subarray(third, 2 * third));
    outgoing.end(body.subarray(2 * third));
  });
}

/** Sends a request with node:http and reads its status, headers and body. */
function send(
  method: string,
  headers: Record<string, string | string[]> = {},
): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      webhookUrl,
      {
        method,
        headers: {
          'content-length': String(SAMPLE.length),
          'x-forwarded-note': MARKER,
          ...headers,
        },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({
            status: answer.statusCode ?? 0,
            allow: answer.headers.allow,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(SAMPLE);
  });
}

/** Every queued body, whatever its queue; the queues are left empty. */
function drainAll(): Promise<string[]> {
  return drainBodies(local.sqs(), local.relay().queueUrls);
}

/** An event of organization 1 padded to exactly `length` bytes. */
function padToLength(length: number): Buffer {
  const text = (padding: string) =>
    `{"type":"project.created","organization_id":1,"data":{"id":"1","padding":"${padding}"}}`;
  return Buffer.from(text('x'.repeat(length - text('').length)));
}

describe('startLocalRelay against hostile HTTP', () => {
  describe('slow and oversized requests', () => {
    it('answers 408 to a body that never finishes, within the request timeout', async () => {
      const head = rawPost('/vomo').subarray(0, -SAMPLE.length + 10);

      const result = await exchange(head);

      expect(result.status).toBe(408);
      expect(result.closed).toBe(true);
      expect(result.elapsedMs).toBeLessThan(
        REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS,
      );
      expect(await drainAll()).toEqual([]);
    });

    it('closes a connection whose headers never finish, within the request timeout', async () => {
      const result = await exchange(
        `POST /vomo HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
      );

      expect(result.closed).toBe(true);
      expect(result.elapsedMs).toBeLessThan(
        REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS,
      );
    });

    it('answers 413 at once to a Content-Length over the limit, reading no body', async () => {
      const head = [
        'POST /vomo HTTP/1.1',
        'Host: 127.0.0.1',
        `Content-Length: ${MAX_REQUEST_BYTES + 1}`,
        `vomo-signature: ${SIGNATURE}`,
      ];

      const result = await exchange(`${head.join('\r\n')}\r\n\r\n{"a":`);

      expect(result.status).toBe(413);
      expect(result.answeredMs).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
    });

    it('stops reading an endless chunked body at the limit and answers 413', async () => {
      const result = await streamEndlessly();

      expect(result.status).toBe(413);
      expect(result.written).toBeLessThan(UPLOAD_CAP_BYTES);
    });

    it('answers 413 to a signed body one byte over the size limit', async () => {
      const body = padToLength(MAX_BODY_BYTES + 1);

      const answer = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'vomo-signature': signBody(body, TEST_SIGNING_KEY) },
        body,
      });

      expect(answer.status).toBe(413);
      expect(await drainAll()).toEqual([]);
    });

    it('queues a signed body of exactly the size limit, byte for byte', async () => {
      const body = padToLength(MAX_BODY_BYTES);

      const answer = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'vomo-signature': signBody(body, TEST_SIGNING_KEY) },
        body,
      });

      expect(answer.status).toBe(200);
      expect(await drainAll()).toEqual([body.toString('utf8')]);
    });
  });

  describe('framing', () => {
    it('queues a signed event sent in chunks, byte for byte', async () => {
      const status = await postInChunks(SAMPLE);

      expect(status).toBe(200);
      expect(await drainAll()).toEqual([SAMPLE.toString('utf8')]);
    });

    it('queues nothing when Content-Length is shorter than the body', async () => {
      const request = rawPost('/vomo', [
        `vomo-signature: ${SIGNATURE}`,
      ]).toString('latin1');
      const shortened = request.replace(
        `Content-Length: ${SAMPLE.length}`,
        `Content-Length: ${SAMPLE.length - 40}`,
      );

      const result = await exchange(shortened);

      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expect(await drainAll()).toEqual([]);
    });

    it('answers 400 to a request with both Content-Length and chunked encoding', async () => {
      const result = await exchange(
        rawPost('/vomo', [
          `vomo-signature: ${SIGNATURE}`,
          'Transfer-Encoding: chunked',
        ]),
      );

      expect(result.status).toBe(400);
      expect(await drainAll()).toEqual([]);
    });

    it('answers 400 to a malformed chunk', async () => {
      const head = [
        'POST /vomo HTTP/1.1',
        'Host: 127.0.0.1',
        'Transfer-Encoding: chunked',
        `vomo-signature: ${SIGNATURE}`,
      ];

      const result = await exchange(
        `${head.join('\r\n')}\r\n\r\nzz\r\n${MARKER}\r\n0\r\n\r\n`,
      );

      expect(result.status).toBe(400);
    });
  });

  describe('request targets', () => {
    it.each([
      '/vomo?x=1',
      '/vomo?vomo-signature=0',
      '/vomo/../vomo',
      '/other/../vomo',
      'http://relay.example/vomo',
    ])(
      'serves %s as the webhook path, queueing the signed event',
      async (target) => {
        const result = await exchange(rawPost(target));

        expect(result.status).toBe(200);
        expect(await drainAll()).toEqual([SAMPLE.toString('utf8')]);
      },
    );

    it.each(['/vomo/', '/VOMO', '//vomo', '/%76omo', '/vomo%2F', '*'])(
      'answers 404 to %s, queueing nothing',
      async (target) => {
        const result = await exchange(rawPost(target));

        expect(result.status).toBe(404);
        expect(await drainAll()).toEqual([]);
      },
    );

    it.each(['http://[/vomo', '//['])(
      'answers 400 to the target %s that is no URL',
      async (target) => {
        const result = await exchange(rawPost(target));

        expect(result.status).toBe(400);
        expect(await drainAll()).toEqual([]);
      },
    );
  });

  describe('methods', () => {
    it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'])(
      'answers 405 to %s, allowing POST only',
      async (method) => {
        const answer = await send(method, { 'vomo-signature': SIGNATURE });

        expect(answer.status).toBe(405);
        expect(answer.allow).toBe('POST');
        expect(await drainAll()).toEqual([]);
      },
    );

    it('sends no body with the 405 to a HEAD', async () => {
      const answer = await send('HEAD');

      expect(answer.body).toBe('');
    });
  });

  describe('the signature header', () => {
    it('answers 401 to the header sent twice, even with the right value', async () => {
      const answer = await send('POST', {
        'vomo-signature': [SIGNATURE, SIGNATURE],
      });

      expect(answer.status).toBe(401);
      expect(await drainAll()).toEqual([]);
    });

    it('reads the header whatever the case of its name', async () => {
      const result = await exchange(
        rawPost('/vomo', [`VoMo-SiGnAtUrE: ${SIGNATURE}`]),
      );

      expect(result.status).toBe(200);
      expect(await drainAll()).toEqual([SAMPLE.toString('utf8')]);
    });

    it('reads the value without the spaces HTTP allows around it', async () => {
      const result = await exchange(
        rawPost('/vomo', [`vomo-signature: \t ${SIGNATURE} \t`]),
      );

      expect(result.status).toBe(200);
    });

    it('answers 401 to a signature with a prefix', async () => {
      const result = await exchange(
        rawPost('/vomo', [`vomo-signature: sha256=${SIGNATURE}`]),
      );

      expect(result.status).toBe(401);
      expect(await drainAll()).toEqual([]);
    });

    it('answers 401 to a signature made with an unknown key', async () => {
      const result = await exchange(
        rawPost('/vomo', [`vomo-signature: ${signBody(SAMPLE, UNKNOWN_KEY)}`]),
      );

      expect(result.status).toBe(401);
      expect(await drainAll()).toEqual([]);
    });
  });

  it('still queues a signed event after every attack', async () => {
    const answer = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'vomo-signature': SIGNATURE },
      body: SAMPLE,
    });

    expect(answer.status).toBe(200);
    expect(await drainAll()).toEqual([SAMPLE.toString('utf8')]);
  });
});
