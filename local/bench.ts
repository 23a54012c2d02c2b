/**
 * Prints how fast the receiver verifies, routes and answers, and how much
 * memory it holds while doing so. Figures only: nothing here passes or fails.
 *
 *   npm run bench
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { readSample } from '../events/index.js';
import { createReceiver } from '../functions/receiver/handler.js';
import { createRouter, type Route } from '../functions/receiver/routes.js';
import { signBody, verifySignature } from '../functions/receiver/signature.js';
import { createSigningKeyStore } from '../functions/receiver/signing-keys.js';

const BENCH_KEY = 'bench-signing-key';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const ORGANIZATIONS = 1_000;

function measure(label: string, runs: number, action: () => void): void {
  action();
  const started = performance.now();
  for (let run = 0; run < runs; run += 1) {
    action();
  }
  const elapsedMs = performance.now() - started;

  const perSecond = Math.round((runs / elapsedMs) * 1000);
  const microseconds = ((elapsedMs * 1000) / runs).toFixed(1);
  console.log(
    `${label.padEnd(40)} ${String(perSecond).padStart(9)}/s ${microseconds.padStart(9)} µs`,
  );
}

function benchSignatures(): void {
  for (const size of [1_024, 65_536, 1_044_480]) {
    const body = Buffer.alloc(size, 'a');
    const digest = Buffer.from(signBody(body, BENCH_KEY), 'hex');
    measure(`verify ${size} bytes`, size > 100_000 ? 500 : 5_000, () => {
      verifySignature(body, digest, [BENCH_KEY]);
    });
  }
}

function benchRouting(): void {
  const routes: Route[] = [
    { events: ['participation.*'], queue: 'volunteering' },
    { events: ['project.*', 'campaign.*'], queue: 'catalog' },
  ];
  const organizations = Object.fromEntries(
    Array.from({ length: ORGANIZATIONS }, (_, index) => [
      String(index + 1),
      routes,
    ]),
  );

  const started = performance.now();
  const route = createRouter({ organizations, unrouted: 'unrouted' });
  const buildMs = (performance.now() - started).toFixed(1);
  console.log(`build router for ${ORGANIZATIONS} organizations: ${buildMs} ms`);

  measure('route one event', 200_000, () => {
    route(ORGANIZATIONS, 'campaign.public.updated');
  });
}

async function benchHandler(): Promise<void> {
  // A stand-in that answers at once and keeps nothing, so the figures are
  // the receiver's own work and memory.
  const sqs = { send: async () => ({ MessageId: 'bench' }) };

  const body = readSample('participation.created');
  const event = {
    version: '2.0',
    routeKey: 'POST /vomo',
    rawPath: '/vomo',
    rawQueryString: '',
    headers: { 'vomo-signature': signBody(body, BENCH_KEY) },
    requestContext: { requestId: 'bench', http: { method: 'POST' } },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as never;

  const receive = createReceiver({
    routing: {
      organizations: { '1': [{ events: ['*'], queue: 'volunteering' }] },
    },
    queueUrls: { volunteering: 'https://sqs.local/000000000000/volunteering' },
    signingKeys: createSigningKeyStore({
      source: async () => JSON.stringify({ '1': BENCH_KEY }),
    }),
    sqs: sqs as unknown as SQSClient,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bench', serviceName: 'bench' }),
  });

  const latencies: number[] = [];
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let request = 0; request < REQUESTS; request += 1) {
    const begin = performance.now();
    const answer = await receive(event);
    latencies.push(performance.now() - begin);
    if (answer.statusCode !== 200) {
      throw new Error(`bench request answered ${answer.statusCode}`);
    }
  }
  const elapsedMs = performance.now() - started;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    (latencies[Math.floor(latencies.length * share)] ?? 0).toFixed(3);
  console.log(
    `handler, ${REQUESTS} signed requests: ${Math.round((REQUESTS / elapsedMs) * 1000)}/s,` +
      ` p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
  );
  console.log(
    `heap: ${mib(heapBefore)} MiB before, ${mib(heapAfter)} MiB after;` +
      ` rss ${mib(process.memoryUsage().rss)} MiB`,
  );
}

function mib(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
benchSignatures();
benchRouting();
await benchHandler();
