import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SIGNING_KEY } from '../fixtures/keys.js';
import { SAMPLE_ROUTING, writeCdkJson } from '../fixtures/relay-config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;
const START = `${ROOT}local/start.ts`;
const SEND = `${ROOT}local/send.ts`;

const OUTPUT_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const STACK_FRAME = /^\s+at /m;
const FORWARDED_LINE =
  /forwarded {2}participation\.created {2}organization 1 .*volunteering\.fifo/;
const CONSUMER_LINE = /^\{.*"message":"participation created".*\}$/m;

/** A command-line process and everything it printed so far. */
interface Cli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const running: Cli[] = [];

// tsx runs the script in a child process and passes SIGTERM on to it; a
// SIGKILL would leave that child running, so it is only the last resort.
afterEach(async () => {
  const left = running.splice(0).filter((cli) => cli.child.exitCode === null);

  await Promise.all(
    left.map(async (cli) => {
      const timer = setTimeout(() => cli.child.kill('SIGKILL'), STOP_GRACE_MS);
      cli.child.kill('SIGTERM');
      await cli.exited;
      clearTimeout(timer);
    }),
  );
});

function runCli(
  script: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Cli {
  const child = spawn(TSX, [script, ...args], {
    cwd: options.cwd ?? ROOT,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: '',
      VOMO_SIGNING_KEY: '',
      VOMO_SIGNING_KEYS: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });

  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const cli = { child, stdout: () => stdout, stderr: () => stderr, exited };
  running.push(cli);
  return cli;
}

/** Waits until the process prints a line matching `pattern`. */
async function waitForOutput(cli: Cli, pattern: RegExp): Promise<string[]> {
  const deadline = Date.now() + OUTPUT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const match = pattern.exec(cli.stdout());
    if (match) {
      return [...match];
    }
    if (cli.child.exitCode !== null) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  throw new Error(
    `no output matching ${pattern}:\n${cli.stdout()}\n${cli.stderr()}`,
  );
}

/** A loopback port that was free a moment ago and has nothing on it now. */
function findClosedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function startRelayCli(
  env: Record<string, string> = {},
  routing: object = SAMPLE_ROUTING,
): Cli {
  return runCli(START, [], {
    cwd: dirname(writeCdkJson(routing)),
    env: { PORT: '0', SQS_PORT: '0', ...env },
  });
}

describe('npm start', () => {
  it('forwards, refuses a wrong key, and stops on Ctrl-C', async () => {
    const relay = startRelayCli({ VOMO_SIGNING_KEY: TEST_SIGNING_KEY });
    const [, url = ''] = await waitForOutput(relay, /POST (http:\S+)/);

    const sender = runCli(SEND, ['participation.created', '--url', url], {
      env: { VOMO_SIGNING_KEY: TEST_SIGNING_KEY },
    });

    expect(await sender.exited).toBe(0);
    expect(sender.stdout()).toContain('200 {"status":"accepted"}');
    await waitForOutput(relay, FORWARDED_LINE);

    const refused = runCli(SEND, ['project.created', '--url', url], {
      env: { VOMO_SIGNING_KEY: 'another-key' },
    });

    expect(await refused.exited).toBe(1);
    expect(refused.stdout()).toContain('401 {"message":"Unauthorized"}');

    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
  });

  it('prints the queue URLs, and a made-up key when none is set', async () => {
    const relay = startRelayCli();

    const [, key] = await waitForOutput(relay, /VOMO_SIGNING_KEY=(\w+) npm/);

    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(relay.stdout()).toMatch(/queue {2}http:\S+\/volunteering\.fifo/);
    expect(relay.stdout()).toMatch(/queue {2}http:\S+\/catalog/);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('runs the configured consumer, whose info line shows while the receiver stays quiet', async () => {
    const routing = {
      ...SAMPLE_ROUTING,
      queues: {
        ...SAMPLE_ROUTING.queues,
        volunteering: { fifo: true, consumer: {} },
      },
    };
    const relay = startRelayCli(
      { VOMO_SIGNING_KEY: TEST_SIGNING_KEY, POWERTOOLS_LOG_LEVEL: '' },
      routing,
    );
    const [, url = ''] = await waitForOutput(relay, /POST (http:\S+)/);

    expect(relay.stdout()).toContain(
      'Consumer:      volunteering -> functions/consumer/index.ts (handler)',
    );
    const sender = runCli(SEND, ['participation.created', '--url', url], {
      env: { VOMO_SIGNING_KEY: TEST_SIGNING_KEY },
    });
    expect(await sender.exited).toBe(0);

    const [line = '{}'] = await waitForOutput(relay, CONSUMER_LINE);
    await waitForOutput(relay, /consumed {2}1 message {2}<- volunteering/);

    expect(JSON.parse(line)).toMatchObject({
      level: 'INFO',
      service: 'vomo-consumer',
      eventType: 'participation.created',
      participationId: 123456,
      userId: 234567,
      status: 'APPROVED',
    });
    expect(relay.stdout()).not.toContain('"service":"vomo-receiver"');
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
  });

  it('stops with the bad key named when the config is invalid', async () => {
    const bad = writeCdkJson({
      ...SAMPLE_ROUTING,
      unrouted: 'nowhere',
    });

    const relay = runCli(START, [], {
      cwd: dirname(bad),
      env: { PORT: '0', SQS_PORT: '0' },
    });

    expect(await relay.exited).toBe(1);
    expect(relay.stderr()).toContain(
      'context.vomo.unrouted: names queue "nowhere"',
    );
    expect(relay.stderr()).not.toMatch(STACK_FRAME);
    expect(relay.stdout()).not.toContain('VOMO webhook');
  });
});

describe('npm run send', () => {
  it('fails with a readable message when nothing listens', async () => {
    const url = `http://127.0.0.1:${await findClosedPort()}/vomo`;

    const sender = runCli(SEND, [
      'project.created',
      '--url',
      url,
      '--key',
      TEST_SIGNING_KEY,
    ]);

    expect(await sender.exited).toBe(1);
    expect(sender.stderr()).toContain(`no answer from ${url}: ECONNREFUSED`);
    expect(sender.stderr()).not.toMatch(STACK_FRAME);
  });

  it('fails saying where the key comes from when there is none', async () => {
    const sender = runCli(SEND, ['project.created']);

    expect(await sender.exited).toBe(1);
    expect(sender.stderr()).toContain('pass --key or set VOMO_SIGNING_KEY');
    expect(sender.stderr()).toContain('usage: npm run send');
  });
});
