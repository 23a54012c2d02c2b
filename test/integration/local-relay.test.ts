import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { readSample, SAMPLE_EVENT_TYPES } from '../../events/index.js';
import { signBody } from '../../functions/receiver/signature.js';
import { RelayConfigError } from '../../infra/config.js';
import { startLocalRelay } from '../../local/local-relay.js';
import type { SentMessage } from '../../local/sent-messages.js';
import { TEST_SIGNING_KEY } from '../fixtures/keys.js';
import {
  expectedQueueOf,
  SAMPLE_ROUTING,
  writeCdkJson,
} from '../fixtures/relay-config.js';
import { drainBodies, drainQueues, useEmbeddedRelay } from './relay-queues.js';

const runFile = promisify(execFile);

const PYTHON_CLIENT = fileURLToPath(
  new URL('../../local/sign-and-send.py', import.meta.url),
);

const CDK_JSON = writeCdkJson(SAMPLE_ROUTING);

// Before-hooks run in the order they are registered and after-hooks in
// reverse, so the relay below starts quiet and stops before these are undone.
beforeAll(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

const forwarded: SentMessage[] = [];
const local = useEmbeddedRelay({
  cdkJsonPath: CDK_JSON,
  onForward: (message) => forwarded.push(message),
});

/** Every queue of the relay, drained: what each held, by queue key. */
function drainAll() {
  return drainQueues(local.sqs(), local.relay().queueUrls);
}

/** Every body the relay queued; the queues are left empty. */
function drainAllBodies() {
  return drainBodies(local.sqs(), local.relay().queueUrls);
}

function sampleFileOf(type: string): string {
  return fileURLToPath(
    new URL(`../../events/samples/${type}.json`, import.meta.url),
  );
}

interface PythonRun {
  readonly exitCode: number;
  readonly statuses: number[];
}

/** Runs the standard-library Python client: its exit code and statuses. */
async function sendWithPython(
  files: readonly string[],
  key: string,
): Promise<PythonRun> {
  const url = local.relay().url;
  const args = [PYTHON_CLIENT, '--url', url, '--key', key, ...files];

  try {
    const { stdout } = await runFile('python3', args);
    return { exitCode: 0, statuses: readStatuses(stdout) };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string };
    if (typeof failed.code !== 'number') {
      throw error;
    }
    return { exitCode: failed.code, statuses: readStatuses(failed.stdout) };
  }
}

// The client prints one `status<TAB>file<TAB>answer` line per file.
function readStatuses(stdout = ''): number[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => Number(line.split('\t')[0]));
}

describe('startLocalRelay with the embedded queue server', () => {
  beforeEach(async () => {
    await drainAll();
    forwarded.length = 0;
  });

  it('holds every configured queue under its SQS name', () => {
    const relay = local.relay();

    expect(Object.keys(relay.queueUrls).sort()).toEqual([
      'catalog',
      'unrouted',
      'volunteering',
    ]);
    expect(relay.queueUrls.volunteering).toMatch(/\/volunteering\.fifo$/);
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/vomo$/);
    expect(relay.sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('queues every sample a Python client signs, byte for byte', async () => {
    const files = SAMPLE_EVENT_TYPES.map(sampleFileOf);

    const run = await sendWithPython(files, TEST_SIGNING_KEY);

    expect(run).toEqual({ exitCode: 0, statuses: files.map(() => 200) });

    const messages = await drainAll();
    for (const type of SAMPLE_EVENT_TYPES) {
      const queue = messages[expectedQueueOf(type)] ?? [];
      const bodies = queue.map((message) => message.Body);
      expect(bodies).toContain(readSample(type).toString('utf8'));
    }
    expect(messages.unrouted).toEqual([]);
    expect(
      (messages.volunteering?.length ?? 0) + (messages.catalog?.length ?? 0),
    ).toBe(SAMPLE_EVENT_TYPES.length);
  });

  it('reports each forwarded message', async () => {
    await sendWithPython(
      [sampleFileOf('participation.created')],
      TEST_SIGNING_KEY,
    );

    expect(forwarded).toEqual([
      {
        queue: 'volunteering.fifo',
        type: 'participation.created',
        organizationId: '1',
        bytes: readSample('participation.created').length,
      },
    ]);
  });

  it('answers 401 to tampered or unsigned bodies, queueing none', async () => {
    const { url } = local.relay();
    const sample = readSample('project.created');
    const tampered = sample.toString('utf8').replace('"90909"', '"90910"');

    const answers = await Promise.all([
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'vomo-signature': signBody(sample, TEST_SIGNING_KEY),
        },
        body: tampered,
      }),
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: sample,
      }),
    ]);

    expect(tampered).not.toBe(sample.toString('utf8'));
    expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
    expect(await drainAllBodies()).toEqual([]);
    expect(forwarded).toEqual([]);
  });

  it('answers 401 to a client using another key', async () => {
    const run = await sendWithPython(
      [sampleFileOf('campaign.created')],
      'not-the-key',
    );

    expect(run).toEqual({ exitCode: 1, statuses: [401] });
    expect(await drainAllBodies()).toEqual([]);
  });

  it('answers 404 with JSON off the webhook path', async () => {
    const offPath = new URL('/', local.relay().url);

    const answer = await fetch(offPath, { method: 'POST' });

    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ message: 'Not Found' });
  });
});

describe('startLocalRelay with no key set', () => {
  it('makes up a key, and accepts events signed with it', async () => {
    const fresh = await startLocalRelay({
      cdkJsonPath: CDK_JSON,
      port: 0,
      sqsPort: 0,
    });

    try {
      expect(fresh.keys.kind).toBe('generated');
      const key = fresh.keys.kind === 'generated' ? fresh.keys.key : '';
      const body = readSample('participation.updated');

      const answer = await fetch(fresh.url, {
        method: 'POST',
        headers: { 'vomo-signature': signBody(body, key) },
        body,
      });

      expect(answer.status).toBe(200);
    } finally {
      await fresh.stop();
    }
  });
});

describe('startLocalRelay stopping', () => {
  it('closes the webhook and the queue server', async () => {
    const stopped = await startLocalRelay({
      cdkJsonPath: CDK_JSON,
      port: 0,
      sqsPort: 0,
      signingKey: TEST_SIGNING_KEY,
    });

    await stopped.stop();

    await expect(fetch(stopped.url, { method: 'POST' })).rejects.toThrow();
    await expect(fetch(stopped.sqsEndpoint)).rejects.toThrow();
  });
});

describe('startLocalRelay with a bad config', () => {
  it('refuses to start, naming the bad key', async () => {
    const cdkJsonPath = writeCdkJson({
      ...SAMPLE_ROUTING,
      organizations: { '1': [{ events: ['project.*'], queue: 'missing' }] },
    });

    const start = startLocalRelay({ cdkJsonPath, port: 0, sqsPort: 0 });

    await expect(start).rejects.toThrow(RelayConfigError);
    await expect(start).rejects.toThrow(
      'context.vomo.organizations.1.0.queue: names queue "missing"',
    );
  });
});
