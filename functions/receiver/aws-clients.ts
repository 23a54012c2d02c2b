import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { withDeadline } from './deadline.js';
import type { KeySource } from './signing-keys.js';

/**
 * VOMO gives up on a delivery after 3 s and cannot tell a timeout from
 * success, so every call has a deadline that leaves room for the answer:
 * one key read plus one round of sends stays under 2.2 s.
 */
export const KEY_READ_DEADLINE_MS = 700;
export const SEND_DEADLINE_MS = 1_500;

const CONNECTION_TIMEOUT_MS = 300;
const SOCKET_TIMEOUT_MS = 1_000;

const REQUEST_HANDLER = {
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  requestTimeout: SOCKET_TIMEOUT_MS,
};

/** An SQS client whose retries fit inside the send deadline. */
export function createSqsClient(): SQSClient {
  return new SQSClient({
    maxAttempts: 2,
    requestHandler: REQUEST_HANDLER,
  });
}

/** A Secrets Manager client whose retries fit inside the key-read deadline. */
export function createSecretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: 2,
    requestHandler: REQUEST_HANDLER,
  });
}

/** Reads the signing-keys secret, giving up after the key-read deadline. */
export function createSecretKeySource(
  client: SecretsManagerClient,
  secretId: string,
): KeySource {
  return async () => {
    const output = await withDeadline(KEY_READ_DEADLINE_MS, (abortSignal) =>
      client.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal,
      }),
    );

    if (output.SecretString === undefined) {
      throw new Error('the signing-keys secret has no string value yet');
    }

    return output.SecretString;
  };
}
