import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSample, SAMPLE_EVENT_TYPES } from '../../events/index.js';
import { signBody } from '../../functions/receiver/signature.js';
import {
  buildEventBody,
  DEFAULT_SEND_URL,
  parseSendArguments,
  SendUsageError,
  sendSignedEvent,
} from '../../local/sender.js';
import { TEST_SIGNING_KEY } from '../fixtures/keys.js';

const ENV_KEY = 'key-from-the-environment';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  server = undefined;
});

/** A server that records one request and answers it as told. */
async function startReceiver(
  status: number,
  answer: string,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    received.push({ headers: request.headers, body: Buffer.concat(chunks) });
    response.writeHead(status).end(answer);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/vomo`, received };
}

function writeTempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vomo-send-')), name);
  writeFileSync(path, text);
  return path;
}

describe('parseSendArguments', () => {
  it('posts to local mode with the key from the environment by default', () => {
    const request = parseSendArguments(['participation.created'], {
      VOMO_SIGNING_KEY: ENV_KEY,
    });

    expect(request).toEqual({
      event: 'participation.created',
      url: DEFAULT_SEND_URL,
      key: ENV_KEY,
    });
  });

  it('prefers --key, --url and --org when given', () => {
    const request = parseSendArguments(
      ['event.json', '--url', 'http://x/vomo', '--key', 'k', '--org', '7'],
      { VOMO_SIGNING_KEY: ENV_KEY },
    );

    expect(request).toEqual({
      event: 'event.json',
      url: 'http://x/vomo',
      key: 'k',
      organizationId: 7,
    });
  });

  it('explains where a missing key comes from', () => {
    expect(() => parseSendArguments(['project.created'], {})).toThrow(
      /--key or set VOMO_SIGNING_KEY/,
    );
  });

  it('refuses an organization id that is not a positive whole number', () => {
    for (const org of ['0', '-1', '1.5', 'one', '99999999999999999999']) {
      expect(() =>
        parseSendArguments(['project.created', '--org', org], {
          VOMO_SIGNING_KEY: ENV_KEY,
        }),
      ).toThrow(SendUsageError);
    }
  });

  it('refuses no event or two events', () => {
    const env = { VOMO_SIGNING_KEY: ENV_KEY };

    expect(() => parseSendArguments([], env)).toThrow(SendUsageError);
    expect(() => parseSendArguments(['a.b', 'c.d'], env)).toThrow(
      SendUsageError,
    );
  });

  it('refuses an unknown option', () => {
    expect(() =>
      parseSendArguments(['project.created', '--nope'], {
        VOMO_SIGNING_KEY: ENV_KEY,
      }),
    ).toThrow(SendUsageError);
  });
});

describe('buildEventBody', () => {
  it("sends a known type's sample byte for byte", () => {
    for (const type of SAMPLE_EVENT_TYPES) {
      expect(buildEventBody(type)).toEqual(readSample(type));
    }
  });

  it('rewrites the organization id and encodes the body again', () => {
    const sample = readSample('project.created').toString('utf8');

    const body = buildEventBody('project.created', 42).toString('utf8');

    expect(JSON.parse(body).organization_id).toBe(42);
    expect(body).toBe(
      sample.replace('"organization_id":1,', '"organization_id":42,'),
    );
  });

  it("encodes a file's JSON the way VOMO does", () => {
    const path = writeTempFile(
      'event.json',
      JSON.stringify(
        {
          type: 'project.created',
          organization_id: 3,
          data: { url: 'http://vomo.test/p', name: 'Jos\u00e9 \u{1F600}' },
        },
        null,
        2,
      ),
    );

    expect(buildEventBody(path).toString('utf8')).toBe(
      '{"type":"project.created","organization_id":3,' +
        '"data":{"url":"http:\\/\\/vomo.test\\/p",' +
        '"name":"Jos\\u00e9 \\ud83d\\ude00"}}',
    );
  });

  it('refuses a file that is not JSON', () => {
    const path = writeTempFile('broken.json', '{"type":');

    expect(() => buildEventBody(path)).toThrow(/not valid JSON/);
  });

  it('names the known types when given neither a type nor a file', () => {
    expect(() => buildEventBody('project.archived')).toThrow(
      /neither a known event type nor a file.*participation\.created/,
    );
  });
});

describe('sendSignedEvent', () => {
  it('posts the bytes signed the way VOMO signs them', async () => {
    const { url, received } = await startReceiver(200, '{"status":"accepted"}');
    const body = readSample('campaign.created');

    const answer = await sendSignedEvent(url, body, TEST_SIGNING_KEY);

    expect(answer).toEqual({ status: 200, body: '{"status":"accepted"}' });
    expect(received[0]?.body).toEqual(body);
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers['vomo-signature']).toBe(
      signBody(body, TEST_SIGNING_KEY),
    );
  });

  it('returns a rejection as an answer', async () => {
    const { url } = await startReceiver(401, '{"message":"Unauthorized"}');

    const answer = await sendSignedEvent(url, Buffer.from('{}'), 'k');

    expect(answer.status).toBe(401);
  });

  it('names the reason when nothing answers', async () => {
    const { url } = await startReceiver(200, '');
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;

    await expect(sendSignedEvent(url, Buffer.from('{}'), 'k')).rejects.toThrow(
      `no answer from ${url}: ECONNREFUSED`,
    );
  });
});
