import {
  createSecretKeySource,
  createSecretsClient,
  createSqsClient,
} from './aws-clients.js';
import { readReceiverEnvironment } from './environment.js';
import { createReceiver } from './handler.js';
import { createSigningKeyStore } from './signing-keys.js';

const environment = readReceiverEnvironment(process.env);

/** The Lambda entry point: clients and settings are built once per sandbox. */
export const handler = createReceiver({
  routing: environment.routing,
  queueUrls: environment.queueUrls,
  signingKeys: createSigningKeyStore({
    source: createSecretKeySource(createSecretsClient(), environment.secretId),
    ttlMs: environment.keyCacheMs,
  }),
  sqs: createSqsClient(),
  maxBodyBytes: environment.maxBodyBytes,
});
