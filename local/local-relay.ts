import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSecretKeySource } from '../functions/receiver/aws-clients.js';
import { RECEIVER_ENV } from '../functions/receiver/environment.js';
import {
  createReceiver,
  RECEIVER_SERVICE_NAME,
} from '../functions/receiver/handler.js';
import {
  createSigningKeyStore,
  createStaticKeySource,
  type KeySource,
  parseSigningKeys,
} from '../functions/receiver/signing-keys.js';
import {
  type ConsumerConfig,
  type RelayConfig,
  readRelayConfig,
} from '../infra/config.js';
import { ensureConfiguredQueues } from './configured-queues.js';
import { type EmbeddedQueues, startEmbeddedQueues } from './embedded-queues.js';
import { type HttpGateway, startHttpGateway } from './http-gateway.js';
import { resolveLocalKeys } from './local-keys.js';
import {
  type BatchOutcome,
  loadConsumerHandler,
  type RunningConsumer,
  type SqsHandler,
  startQueueConsumer,
} from './queue-consumer-runner.js';
import { type SentMessage, watchSentMessages } from './sent-messages.js';

/** What local mode uses when nothing else is said. */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  port: 3000,
  sqsPort: 9324,
  region: 'us-east-1',
  secretId: 'vomo-relay/signing-keys',
} as const;

/** Environment variables local mode reads. */
export const LOCAL_ENV = {
  port: 'PORT',
  sqsPort: 'SQS_PORT',
  awsEndpointUrl: 'AWS_ENDPOINT_URL',
  sqsEndpointUrl: 'AWS_ENDPOINT_URL_SQS',
  secretsEndpointUrl: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  signingKey: 'VOMO_SIGNING_KEY',
  signingKeys: 'VOMO_SIGNING_KEYS',
  secretId: RECEIVER_ENV.secretId,
} as const;

/** How to start local mode; every field has a default. */
export interface LocalRelayOptions {
  readonly cdkJsonPath?: string;
  readonly host?: string;
  /** The webhook's port; 0 picks a free one. */
  readonly port?: number;
  /** The embedded queue server's port; 0 picks a free one. */
  readonly sqsPort?: number;
  readonly region?: string;
  /** An SQS and Secrets Manager endpoint used instead of the embedded one. */
  readonly awsEndpointUrl?: string | undefined;
  /** Secrets Manager's endpoint when it is not `awsEndpointUrl`. */
  readonly secretsEndpointUrl?: string | undefined;
  /** The signing-keys secret, read only with `awsEndpointUrl`. */
  readonly secretId?: string | undefined;
  readonly signingKey?: string | undefined;
  readonly signingKeys?: string | undefined;
  /** Told of every message a queue accepted. */
  readonly onForward?: (message: SentMessage) => void;
  /**
   * The receiver's log level. Without it the receiver's logger follows
   * POWERTOOLS_LOG_LEVEL, as every consumer's does.
   */
  readonly receiverLogLevel?: LogLevel | undefined;
  /** Told of every batch a configured consumer handled or failed. */
  readonly onConsume?: (outcome: BatchOutcome) => void;
  /** Told when a consumer's receive or delete fails; it keeps polling. */
  readonly onConsumerError?: (queue: string, error: unknown) => void;
}

/** Where the signing keys of a running relay come from. */
export type KeyOrigin =
  | { readonly kind: 'environment' }
  | { readonly kind: 'generated'; readonly key: string }
  | {
      readonly kind: 'secret';
      readonly secretId: string;
      /** Why the secret could not be read at start-up, if it could not. */
      readonly problem?: string;
    };

/** A configured consumer that local mode runs against its queue. */
export interface LocalConsumer {
  readonly queue: string;
  readonly queueUrl: string;
  readonly entry: string;
  readonly handler: string;
}

/** A running local relay. */
export interface LocalRelay {
  /** The webhook URL to POST VOMO events to. */
  readonly url: string;
  readonly sqsEndpoint: string;
  /** Queue URLs by configured queue key. */
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly keys: KeyOrigin;
  /** The consumers polling their queues, in the order of `queues`. */
  readonly consumers: readonly LocalConsumer[];
  /** Closes the webhook, lets each consumer finish its batch, then stops. */
  stop(): Promise<void>;
}

interface LoadedConsumer {
  readonly queue: string;
  readonly config: ConsumerConfig;
  readonly handler: SqsHandler;
}

interface QueueBackend {
  readonly sqs: SQSClient;
  readonly endpoint: string;
  readonly source: KeySource;
  readonly keys: KeyOrigin;
  stop(): Promise<void>;
}

// Queues and keys are local, so there is no account to sign requests for.
const EMBEDDED_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const CLIENT_MAX_ATTEMPTS = 2;

/**
 * Runs the deployed receiver's handler behind a local HTTP server, with the
 * configured queues on an embedded SQS-compatible server, or on another
 * endpoint (moto, LocalStack, AWS) whose Secrets Manager holds the keys.
 */
export async function startLocalRelay(
  options: LocalRelayOptions = {},
): Promise<LocalRelay> {
  const config = readRelayConfig(options.cdkJsonPath);
  const region = options.region ?? LOCAL_DEFAULTS.region;

  // Loaded before anything listens: a bad entry then leaves nothing running.
  const loaded = await loadConsumers(config);

  const backend = options.awsEndpointUrl
    ? await connectEndpoint(options.awsEndpointUrl, region, options)
    : await startEmbeddedBackend(config, region, options);

  let consumers: RunningConsumer[] = [];
  let gateway: HttpGateway | undefined;
  const stop = async () => {
    await gateway?.close();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await backend.stop();
  };

  try {
    const queueUrls = await ensureConfiguredQueues(backend.sqs, config);
    if (options.onForward) {
      watchSentMessages(backend.sqs, options.onForward);
    }

    consumers = await Promise.all(
      loaded.map(({ queue, config: consumer, handler }) =>
        startQueueConsumer({
          sqs: backend.sqs,
          queue,
          queueUrl: queueUrls[queue] ?? '',
          region,
          consumer,
          handler,
          onBatch: options.onConsume,
          onError: options.onConsumerError,
        }),
      ),
    );

    gateway = await startHttpGateway(
      createReceiver({
        routing: config,
        queueUrls,
        signingKeys: createSigningKeyStore({
          source: backend.source,
          ttlMs: config.receiver.keyCacheSeconds * 1000,
        }),
        sqs: backend.sqs,
        maxBodyBytes: config.receiver.maxBodyBytes,
        ...(options.receiverLogLevel && {
          logger: new Logger({
            serviceName: RECEIVER_SERVICE_NAME,
            logLevel: options.receiverLogLevel,
          }),
        }),
      }),
      {
        host: options.host ?? LOCAL_DEFAULTS.host,
        port: options.port ?? LOCAL_DEFAULTS.port,
      },
    );

    return {
      url: gateway.url,
      sqsEndpoint: backend.endpoint,
      queueUrls,
      keys: backend.keys,
      consumers: loaded.map(({ queue, config: consumer }) => ({
        queue,
        queueUrl: queueUrls[queue] ?? '',
        entry: consumer.entry,
        handler: consumer.handler,
      })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads local mode's options from environment variables. */
export function readLocalRelayOptions(
  env: NodeJS.ProcessEnv,
): LocalRelayOptions {
  return {
    port: readPort(env, LOCAL_ENV.port) ?? LOCAL_DEFAULTS.port,
    sqsPort: readPort(env, LOCAL_ENV.sqsPort) ?? LOCAL_DEFAULTS.sqsPort,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || LOCAL_DEFAULTS.region,
    awsEndpointUrl:
      env[LOCAL_ENV.sqsEndpointUrl] ||
      env[LOCAL_ENV.awsEndpointUrl] ||
      undefined,
    secretsEndpointUrl: env[LOCAL_ENV.secretsEndpointUrl] || undefined,
    secretId: env[LOCAL_ENV.secretId] || undefined,
    signingKey: env[LOCAL_ENV.signingKey] || undefined,
    signingKeys: env[LOCAL_ENV.signingKeys] || undefined,
  };
}

async function loadConsumers(config: RelayConfig): Promise<LoadedConsumer[]> {
  const configured = Object.entries(config.queues).flatMap(
    ([queue, settings]) =>
      settings.consumer === undefined
        ? []
        : [{ queue, config: settings.consumer }],
  );

  return Promise.all(
    configured.map(async ({ queue, config: consumer }) => ({
      queue,
      config: consumer,
      handler: await loadConsumerHandler(queue, consumer),
    })),
  );
}

async function startEmbeddedBackend(
  config: RelayConfig,
  region: string,
  options: LocalRelayOptions,
): Promise<QueueBackend> {
  // Keys are checked first: a bad key setting then leaves nothing running.
  const keys = resolveLocalKeys(options, Object.keys(config.organizations));
  const source = createStaticKeySource(keys.text);

  const queues: EmbeddedQueues = await startEmbeddedQueues({
    host: options.host ?? LOCAL_DEFAULTS.host,
    port: options.sqsPort ?? LOCAL_DEFAULTS.sqsPort,
    region,
  });
  const sqs = new SQSClient({
    endpoint: queues.endpoint,
    region,
    credentials: EMBEDDED_CREDENTIALS,
    maxAttempts: CLIENT_MAX_ATTEMPTS,
  });

  return {
    sqs,
    endpoint: queues.endpoint,
    source,
    keys:
      keys.generatedKey === undefined
        ? { kind: 'environment' }
        : { kind: 'generated', key: keys.generatedKey },
    stop: async () => {
      sqs.destroy();
      await queues.stop();
    },
  };
}

async function connectEndpoint(
  endpoint: string,
  region: string,
  options: LocalRelayOptions,
): Promise<QueueBackend> {
  const settings = { region, maxAttempts: CLIENT_MAX_ATTEMPTS };
  const sqs = new SQSClient({ ...settings, endpoint });
  const secrets = new SecretsManagerClient({
    ...settings,
    endpoint: options.secretsEndpointUrl ?? endpoint,
  });
  const secretId = options.secretId ?? LOCAL_DEFAULTS.secretId;
  const source = createSecretKeySource(secrets, secretId);

  return {
    sqs,
    endpoint,
    source,
    keys: { kind: 'secret', secretId, problem: await checkSecret(source) },
    stop: async () => {
      sqs.destroy();
      secrets.destroy();
    },
  };
}

// A secret that is missing at start-up is reported, not fatal: the receiver
// reads it again on the next request, so it can be created meanwhile.
async function checkSecret(source: KeySource): Promise<string | undefined> {
  try {
    parseSigningKeys(await source());
    return undefined;
  } catch (error) {
    return error instanceof Error
      ? `${error.name}: ${error.message}`
      : 'read failed';
  }
}

function readPort(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') {
    return undefined;
  }

  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number (0-65535), not "${value}"`);
  }

  return port;
}
