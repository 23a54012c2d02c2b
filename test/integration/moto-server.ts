import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, vi } from 'vitest';
import { useForFile } from '../fixtures/file-scope.js';

/** What a run without moto's server is told to do. */
export const MOTO_INSTALL_HINT =
  "The integration tests need moto's server: pip install 'moto[server]'";

/** The region and dummy credentials every client in these tests uses. */
export const MOTO_TEST_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
} as const;

/** A moto server running on a loopback port. */
export interface MotoServer {
  readonly endpoint: string;
  /** Forgets every queue, message and secret. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 5_000;
const STDERR_KEPT_CHARS = 2_000;

/**
 * Starts one moto server for the calling test file, with the test region and
 * credentials in the environment and AWS_ENDPOINT_URL pointing at it, so the
 * SDK clients the relay itself builds talk to moto. Read `server()` in tests.
 */
export function useMotoServer(): { server(): MotoServer } {
  const server = useForFile(
    async () => {
      const moto = await startMotoServer();
      for (const [name, value] of Object.entries(MOTO_TEST_ENV)) {
        vi.stubEnv(name, value);
      }
      vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
      return moto;
    },
    async (moto) => {
      vi.unstubAllEnvs();
      await moto.stop();
    },
  );

  return { server };
}

/** The file's moto server, and an SQS and a Secrets Manager client on it. */
export interface MotoClients {
  server(): MotoServer;
  sqs(): SQSClient;
  secrets(): SecretsManagerClient;
}

/**
 * useMotoServer with an SQS and a Secrets Manager client on it, and moto
 * emptied before each test, so that each starts without queues or secrets.
 */
export function useMotoClients(): MotoClients {
  const moto = useMotoServer();
  const sqs = useForFile(
    () => new SQSClient({}),
    (client) => client.destroy(),
  );
  const secrets = useForFile(
    () => new SecretsManagerClient({}),
    (client) => client.destroy(),
  );

  beforeEach(async () => {
    await moto.server().reset();
  });

  return { server: moto.server, sqs, secrets };
}

/**
 * Runs `python3 -m moto.server` on a free loopback port and waits until it
 * answers. Without moto this fails, saying how to install it: a missing
 * dependency must never pass for a green run.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    'python3',
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEPT_CHARS);
  });

  try {
    await waitUntilAnswering(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  return {
    endpoint,
    reset: async () => {
      const answer = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
      });
      if (!answer.ok) {
        throw new Error(`moto reset answered ${answer.status}`);
      }
    },
    stop: () => stopChild(child),
  };
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  readStderr: () => string,
): Promise<void> {
  const ended = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`${MOTO_INSTALL_HINT} (${error.message})`)),
    );
    child.once('exit', (code) =>
      reject(new Error(describeEarlyExit(code, readStderr()))),
    );
  });
  ended.catch(() => undefined);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await isAnswering(endpoint)) {
      return;
    }
    await Promise.race([ended, sleep(READY_POLL_MS)]);
  }

  throw new Error(
    `moto did not answer at ${endpoint} within ${READY_TIMEOUT_MS} ms`,
  );
}

function describeEarlyExit(code: number | null, stderr: string): string {
  if (/No module named|ModuleNotFoundError|ImportError/.test(stderr)) {
    return `${MOTO_INSTALL_HINT}\n${stderr.trim()}`;
  }

  return `moto's server exited with code ${code}:\n${stderr.trim()}`;
}

async function isAnswering(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/moto-api/`);
    return true;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  // A child that never started (no python3) has nothing to stop.
  const running =
    child.pid !== undefined &&
    child.exitCode === null &&
    child.signalCode === null;
  if (!running) {
    return;
  }

  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
