import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  createSecretKeySource,
  KEY_READ_DEADLINE_MS,
} from '../../functions/receiver/aws-clients.js';

function clientAnswering(send: () => Promise<unknown>): SecretsManagerClient {
  return { send } as unknown as SecretsManagerClient;
}

describe('createSecretKeySource', () => {
  it('returns the secret string', async () => {
    const client = clientAnswering(async () => ({ SecretString: '{"1":"k"}' }));

    const read = createSecretKeySource(client, 'keys');

    await expect(read()).resolves.toBe('{"1":"k"}');
  });

  it('fails when the secret has no string value yet', async () => {
    const client = clientAnswering(async () => ({}));

    const read = createSecretKeySource(client, 'keys');

    await expect(read()).rejects.toThrow('no string value');
  });

  it('gives up after the key-read deadline when the call hangs', async () => {
    const client = clientAnswering(() => new Promise(() => {}));
    const started = Date.now();

    const read = createSecretKeySource(client, 'keys');

    await expect(read()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(KEY_READ_DEADLINE_MS * 3);
  });
});
