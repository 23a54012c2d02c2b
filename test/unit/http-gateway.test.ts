import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceiverAnswer } from '../../functions/receiver/answers.js';
import {
  type GatewayHandler,
  type HttpGateway,
  MAX_REQUEST_BYTES,
  startHttpGateway,
  WEBHOOK_PATH,
} from '../../local/http-gateway.js';

const ACCEPTED: ReceiverAnswer = {
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"status":"accepted"}',
};

let gateway: HttpGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** Starts a gateway whose handler records every event it is given. */
async function startRecording(
  answer: GatewayHandler = async () => ACCEPTED,
): Promise<{ url: string; events: APIGatewayProxyEventV2[] }> {
  const events: APIGatewayProxyEventV2[] = [];
  gateway = await startHttpGateway(
    async (event) => {
      events.push(event);
      return answer(event);
    },
    { port: 0, host: '127.0.0.1' },
  );

  return { url: gateway.url, events };
}

/** Posts with node:http, which sends a header given a list once per value. */
function postWithHeaders(
  url: string,
  headers: Record<string, string | string[]>,
  body: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('startHttpGateway', () => {
  it('listens on the webhook path of the chosen host', async () => {
    const { url } = await startRecording();

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/vomo$/);
    expect(new URL(url).pathname).toBe(WEBHOOK_PATH);
  });

  it('hands the handler the exact bytes, base64-encoded', async () => {
    const { url, events } = await startRecording();
    const body = Buffer.from([0x7b, 0xff, 0x00, 0xc3, 0xa9, 0x7d]);

    await fetch(url, { method: 'POST', body });

    expect(events).toHaveLength(1);
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(body);
  });

  it('describes the request as an HTTP API payload 2.0 event', async () => {
    const { url, events } = await startRecording();

    await fetch(`${url}?a=1&a=2&b=3`, { method: 'POST', body: '{}' });

    const event = events[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /vomo',
      rawPath: '/vomo',
      rawQueryString: 'a=1&a=2&b=3',
      queryStringParameters: { a: '1,2', b: '3' },
      requestContext: {
        http: { method: 'POST', path: '/vomo', sourceIp: '127.0.0.1' },
        stage: '$default',
      },
    });
    expect(event?.requestContext.time).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
  });

  it('lowercases names and comma-joins a repeated header', async () => {
    const { url, events } = await startRecording();

    await postWithHeaders(
      url,
      { 'VOMO-Signature': 'abc', 'X-Twice': ['one', 'two'] },
      Buffer.from('{}'),
    );

    expect(events[0]?.headers['vomo-signature']).toBe('abc');
    expect(events[0]?.headers['x-twice']).toBe('one,two');
  });

  it('gives each request its own id and answers with it', async () => {
    const { url, events } = await startRecording();

    const first = await fetch(url, { method: 'POST', body: '{}' });
    const second = await fetch(url, { method: 'POST', body: '{}' });

    const ids = events.map((event) => event.requestContext.requestId);
    expect(new Set(ids).size).toBe(2);
    expect(first.headers.get('apigw-requestid')).toBe(ids[0]);
    expect(second.headers.get('apigw-requestid')).toBe(ids[1]);
  });

  it("returns the handler's status, headers and body", async () => {
    const { url } = await startRecording(async () => ({
      statusCode: 405,
      headers: { 'content-type': 'application/json', allow: 'POST' },
      body: '{"message":"no"}',
    }));

    const answer = await fetch(url);

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(await answer.text()).toBe('{"message":"no"}');
  });

  it('answers 404 off the webhook path, leaving the handler out', async () => {
    const { url, events } = await startRecording();

    const answer = await fetch(new URL('/other', url), {
      method: 'POST',
      body: '{}',
    });

    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ message: 'Not Found' });
    expect(events).toHaveLength(0);
  });

  it('answers 500 when the handler throws', async () => {
    const { url } = await startRecording(async () => {
      throw new Error('broken');
    });

    const answer = await fetch(url, { method: 'POST', body: '{}' });

    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 413 to a body over the HTTP API limit', async () => {
    const { url, events } = await startRecording();

    const answer = await fetch(url, {
      method: 'POST',
      body: Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20),
    });

    expect(answer.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('keeps serving after a client hangs up mid-body', async () => {
    const { url } = await startRecording();
    const outgoing = httpRequest(url, {
      method: 'POST',
      headers: { 'content-length': '1000' },
    });
    outgoing.on('error', () => undefined);
    outgoing.write('{"partial":');
    await new Promise((resolve) => setTimeout(resolve, 50));
    outgoing.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const answer = await fetch(url, { method: 'POST', body: '{}' });

    expect(answer.status).toBe(200);
  });

  it('closes while a client keeps its connection open', async () => {
    const { url } = await startRecording();
    await fetch(url, { method: 'POST', body: '{}', keepalive: true });

    await gateway?.close();
    gateway = undefined;

    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
