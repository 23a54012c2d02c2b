import { createLogger, createMetrics } from '../telemetry.js';
import {
  createSecretKeySource,
  createSecretsClient,
  createSqsClient,
} from './aws-clients.js';
import { readReceiverEnvironment } from './environment.js';
import {
  createReceiver,
  RECEIVER_SERVICE_NAME,
  reportStaleKeys,
} from './handler.js';
import { createSigningKeyStore } from './signing-keys.js';

const environment = readReceiverEnvironment(process.env);
const logger = createLogger(RECEIVER_SERVICE_NAME);
const metrics = createMetrics(RECEIVER_SERVICE_NAME);

/** The Lambda entry point: clients and settings are built once per sandbox. */
export const handler = createReceiver({
  routing: environment.routing,
  queueUrls: environment.queueUrls,
  signingKeys: createSigningKeyStore({
    source: createSecretKeySource(createSecretsClient(), environment.secretId),
    ttlMs: environment.keyCacheMs,
    onStale: (error) => reportStaleKeys(logger, metrics, error),
  }),
  sqs: createSqsClient(),
  maxBodyBytes: environment.maxBodyBytes,
  logger,
  metrics,
});
