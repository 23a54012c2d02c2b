import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The repository root: cdk.json, the lock file and every function entry are
 * found under it, whatever the working directory.
 */
export const PROJECT_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
);

/** The example consumer, attached to a queue whose `consumer` names no entry. */
export const DEFAULT_CONSUMER_ENTRY = 'functions/consumer/index.ts';

/**
 * Lambda's advice for an SQS trigger: a visibility timeout of at least six
 * times the function timeout, plus the batching window.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Lambda hands a FIFO queue's consumer at most this many records at once. */
export const MAX_FIFO_BATCH_SIZE = 10;

const QUEUE_KEY = /^[A-Za-z0-9_-]{1,75}$/;
const ORGANIZATION_ID = /^[1-9][0-9]{0,15}$/;
const EVENT_PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const HANDLER_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
  2192, 2557, 2922, 3288, 3653,
] as const;

/** Log levels the functions' Powertools logger understands. */
export const LOG_LEVELS = [
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;

const queueKey = z
  .string()
  .regex(QUEUE_KEY, 'use 1-75 letters, digits, "-" or "_"');

const consumerSchema = z
  .object({
    entry: z
      .string()
      .regex(HANDLER_FILE, 'name a .ts, .js, .mts or .mjs file')
      .default(DEFAULT_CONSUMER_ENTRY),
    handler: z
      .string()
      .regex(EXPORT_NAME, 'name an export of the entry file')
      .default('handler'),
    batchSize: z.number().int().min(1).max(10_000).default(10),
    maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
    maxConcurrency: z.number().int().min(2).max(1000).optional(),
    timeoutSeconds: z.number().int().min(1).max(900).default(30),
    memorySizeMb: z.number().int().min(128).max(10_240).default(256),
  })
  .strict();

const queueSchema = z
  .object({
    fifo: z.boolean().default(false),
    retentionDays: z.number().int().min(1).max(14).default(14),
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).default(60),
    consumer: consumerSchema.optional(),
  })
  .strict();

const routeSchema = z
  .object({
    events: z
      .array(
        z
          .string()
          .regex(EVENT_PATTERN, 'use letters, digits, ".", "_", "-", "*"'),
      )
      .min(1, 'name at least one event pattern'),
    queue: queueKey,
  })
  .strict();

const receiverSchema = z
  .object({
    memorySizeMb: z.number().int().min(128).max(10_240).default(512),
    reservedConcurrency: z.number().int().min(1).optional(),
    maxBodyBytes: z.number().int().min(1024).max(1_044_480).optional(),
    // The receiver re-reads the keys at most every 30 s whatever the cache
    // time, so a shorter one would promise what it does not do.
    keyCacheSeconds: z.number().int().min(30).max(3600).default(300),
    logLevel: z.enum(LOG_LEVELS).default('INFO'),
  })
  .strict();

const apiSchema = z
  .object({
    rateLimit: z.number().min(1).default(50),
    burstLimit: z.number().int().min(1).default(100),
  })
  .strict();

const alarmsSchema = z
  .object({
    unauthorizedPerFiveMinutes: z.number().int().min(1).default(10),
    oldestMessageAgeMinutes: z.number().int().min(1).max(20_160).default(60),
  })
  .strict();

const relayConfigSchema = z
  .object({
    stackName: z
      .string()
      .regex(STACK_NAME, 'use a letter, then letters, digits or "-"')
      .default('VomoRelay'),
    queues: z
      .record(queueKey, queueSchema)
      .refine((queues) => Object.keys(queues).length > 0, 'name one queue'),
    organizations: z.record(
      z.string().regex(ORGANIZATION_ID, 'use a positive integer id'),
      z.array(routeSchema),
    ),
    unrouted: queueKey.optional(),
    api: apiSchema.prefault({}),
    receiver: receiverSchema.prefault({}),
    alarms: alarmsSchema.prefault({}),
    alarmEmail: z.email().optional(),
    logRetentionDays: z
      .number()
      .refine(
        (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
        `use one of ${LOG_RETENTION_DAYS.join(', ')}`,
      )
      .default(30),
  })
  .strict()
  .superRefine((config, context) => {
    const known = new Set(Object.keys(config.queues));

    for (const [id, routes] of Object.entries(config.organizations)) {
      routes.forEach((route, index) => {
        if (!known.has(route.queue)) {
          context.addIssue({
            code: 'custom',
            path: ['organizations', id, index, 'queue'],
            message: `names queue "${route.queue}", which "queues" lacks`,
          });
        }
      });
    }

    if (config.unrouted !== undefined && !known.has(config.unrouted)) {
      context.addIssue({
        code: 'custom',
        path: ['unrouted'],
        message: `names queue "${config.unrouted}", which "queues" lacks`,
      });
    }

    for (const [key, queue] of Object.entries(config.queues)) {
      for (const issue of checkConsumer(queue)) {
        context.addIssue({
          code: 'custom',
          path: ['queues', key, 'consumer', issue.key],
          message: issue.message,
        });
      }
    }
  });

/** The validated `context.vomo` of `cdk.json`, with defaults filled in. */
export type RelayConfig = z.output<typeof relayConfigSchema>;

/** One queue's settings, as configured under `queues`. */
export type QueueConfig = RelayConfig['queues'][string];

/** The function attached to a queue, with its defaults filled in. */
export type ConsumerConfig = NonNullable<QueueConfig['consumer']>;

/** A configuration that does not fit the schema; the message names each key. */
export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
}

/** Validates a raw `context.vomo` value, or throws naming every bad key. */
export function parseRelayConfig(raw: unknown): RelayConfig {
  if (raw === undefined) {
    throw new RelayConfigError('cdk.json has no "context.vomo" section');
  }

  const result = relayConfigSchema.safeParse(raw);

  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${formatPath(issue.path)}: ${describeIssue(issue)}`,
    );
    throw new RelayConfigError(
      `Invalid routing config in cdk.json:\n${lines.join('\n')}`,
    );
  }

  return result.data;
}

/** Reads and validates `context.vomo` from a `cdk.json` file. */
export function readRelayConfig(cdkJsonPath = 'cdk.json'): RelayConfig {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as {
    context?: { vomo?: unknown };
  };

  return parseRelayConfig(cdkJson.context?.vomo);
}

/** The SQS name of a configured queue: FIFO queues need the `.fifo` suffix. */
export function queueNameOf(key: string, queue: QueueConfig): string {
  return queue.fifo ? `${key}.fifo` : key;
}

/** A path in the project as configured: relative to the project root. */
export function resolveProjectPath(path: string): string {
  return resolve(PROJECT_ROOT, path);
}

/**
 * The visibility timeout a queue gets: the configured one, raised when a
 * consumer could still be working on a batch by the time it ran out.
 */
export function visibilityTimeoutOf(queue: QueueConfig): number {
  const { consumer } = queue;
  if (consumer === undefined) {
    return queue.visibilityTimeoutSeconds;
  }

  // Lambda's poller hides a batch from the moment it receives it: while the
  // batching window fills, while the function runs, and while a throttled
  // invocation is retried. A timeout that ran out first would show the batch
  // again and hand it to a second invocation while the first still works on
  // it, so the configured value is raised rather than rejected.
  const needed =
    VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds +
    consumer.maxBatchingWindowSeconds;
  return Math.max(queue.visibilityTimeoutSeconds, needed);
}

// What the schema of one key cannot see: rules between keys, and the file.
function checkConsumer(
  queue: QueueConfig,
): { key: keyof ConsumerConfig; message: string }[] {
  const { consumer } = queue;
  if (consumer === undefined) {
    return [];
  }

  const issues: { key: keyof ConsumerConfig; message: string }[] = [];

  if (queue.fifo && consumer.batchSize > MAX_FIFO_BATCH_SIZE) {
    issues.push({
      key: 'batchSize',
      message: `a FIFO queue's consumer takes at most ${MAX_FIFO_BATCH_SIZE} records per batch`,
    });
  }
  if (queue.fifo && consumer.maxBatchingWindowSeconds > 0) {
    issues.push({
      key: 'maxBatchingWindowSeconds',
      message: 'a FIFO queue takes no batching window; remove the key',
    });
  }
  if (
    !queue.fifo &&
    consumer.batchSize > MAX_FIFO_BATCH_SIZE &&
    consumer.maxBatchingWindowSeconds === 0
  ) {
    issues.push({
      key: 'batchSize',
      message:
        `a batch of more than ${MAX_FIFO_BATCH_SIZE} needs ` +
        `maxBatchingWindowSeconds of at least 1`,
    });
  }
  if (!existsSync(resolveProjectPath(consumer.entry))) {
    issues.push({
      key: 'entry',
      message:
        `no such file: ${resolveProjectPath(consumer.entry)} (a relative ` +
        `entry starts at the project root)`,
    });
  }

  return issues;
}

// A record key that breaks its rule gets a generic issue; the rule's own
// message, the one that says what a valid key looks like, is nested in it.
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') {
    return issue.issues.map((inner) => inner.message).join('; ');
  }

  return issue.message;
}

function formatPath(path: readonly PropertyKey[]): string {
  return ['context', 'vomo', ...path.map(String)].join('.');
}
