import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { parseRoutingTable, type RoutingTable } from './routes.js';

/** The routing table's file name beside the bundled handler. */
export const ROUTING_FILE_NAME = 'routing.json';

/** Environment variables the deployed receiver reads at start-up. */
export const RECEIVER_ENV = {
  secretId: 'VOMO_SIGNING_KEYS_SECRET',
  queueUrls: 'VOMO_QUEUE_URLS',
  routingFile: 'VOMO_ROUTING_FILE',
  maxBodyBytes: 'VOMO_MAX_BODY_BYTES',
  keyCacheSeconds: 'VOMO_KEY_CACHE_SECONDS',
} as const;

/** What the deployed receiver is told by its environment and its bundle. */
export interface ReceiverEnvironment {
  readonly secretId: string;
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly routing: RoutingTable;
  readonly maxBodyBytes: number | undefined;
  readonly keyCacheMs: number | undefined;
}

const queueUrlsSchema = z.record(z.string(), z.url());

/**
 * Reads the receiver's settings, failing at start-up with the variable named,
 * so a broken deployment never answers VOMO with a 2xx.
 */
export function readReceiverEnvironment(
  env: NodeJS.ProcessEnv,
): ReceiverEnvironment {
  const routingFile =
    env[RECEIVER_ENV.routingFile] ??
    join(env.LAMBDA_TASK_ROOT ?? process.cwd(), ROUTING_FILE_NAME);
  const keyCacheSeconds = readNumber(env, RECEIVER_ENV.keyCacheSeconds);

  return {
    secretId: readRequired(env, RECEIVER_ENV.secretId),
    queueUrls: readQueueUrls(env),
    routing: parseRoutingTable(JSON.parse(readFileSync(routingFile, 'utf8'))),
    maxBodyBytes: readNumber(env, RECEIVER_ENV.maxBodyBytes),
    keyCacheMs:
      keyCacheSeconds === undefined ? undefined : keyCacheSeconds * 1000,
  };
}

function readRequired(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`);
  }

  return value;
}

function readQueueUrls(env: NodeJS.ProcessEnv): Record<string, string> {
  const name = RECEIVER_ENV.queueUrls;
  const value = readRequired(env, name);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new Error(`${name} is not a JSON object of queue URLs`, {
      cause: error,
    });
  }

  const result = queueUrlsSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`${name} must map queue names to URLs`);
  }

  return result.data;
}

function readNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') {
    return undefined;
  }

  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`${name} must be a whole number, not "${value}"`);
  }

  return number;
}
