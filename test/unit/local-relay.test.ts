import { describe, expect, it } from 'vitest';
import {
  LOCAL_DEFAULTS,
  readLocalRelayOptions,
} from '../../local/local-relay.js';

describe('readLocalRelayOptions', () => {
  it('uses the defaults when nothing is set', () => {
    expect(readLocalRelayOptions({})).toEqual({
      port: LOCAL_DEFAULTS.port,
      sqsPort: LOCAL_DEFAULTS.sqsPort,
      region: LOCAL_DEFAULTS.region,
      awsEndpointUrl: undefined,
      secretsEndpointUrl: undefined,
      secretId: undefined,
      signingKey: undefined,
      signingKeys: undefined,
    });
  });

  it('reads every setting from its variable', () => {
    const options = readLocalRelayOptions({
      PORT: '0',
      SQS_PORT: '9400',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      VOMO_SIGNING_KEYS_SECRET: 'my/keys',
      VOMO_SIGNING_KEY: 'k',
    });

    expect(options).toMatchObject({
      port: 0,
      sqsPort: 9400,
      region: 'eu-west-1',
      awsEndpointUrl: 'http://127.0.0.1:5000',
      secretId: 'my/keys',
      signingKey: 'k',
    });
  });

  it("takes the SDK's service-specific endpoints over the shared one", () => {
    const options = readLocalRelayOptions({
      AWS_ENDPOINT_URL: 'http://shared',
      AWS_ENDPOINT_URL_SQS: 'https://sqs.eu-west-1.amazonaws.com',
      AWS_ENDPOINT_URL_SECRETS_MANAGER:
        'https://secretsmanager.eu-west-1.amazonaws.com',
    });

    expect(options.awsEndpointUrl).toBe('https://sqs.eu-west-1.amazonaws.com');
    expect(options.secretsEndpointUrl).toBe(
      'https://secretsmanager.eu-west-1.amazonaws.com',
    );
  });

  it('falls back to AWS_DEFAULT_REGION', () => {
    expect(
      readLocalRelayOptions({ AWS_DEFAULT_REGION: 'ca-central-1' }),
    ).toHaveProperty('region', 'ca-central-1');
  });

  it('treats an empty variable as unset', () => {
    const options = readLocalRelayOptions({ PORT: '', AWS_ENDPOINT_URL: '' });

    expect(options.port).toBe(LOCAL_DEFAULTS.port);
    expect(options.awsEndpointUrl).toBeUndefined();
  });

  it('refuses a port that is not a port number, naming the variable', () => {
    expect(() => readLocalRelayOptions({ PORT: 'http' })).toThrow(
      'PORT must be a port number (0-65535), not "http"',
    );
    expect(() => readLocalRelayOptions({ SQS_PORT: '70000' })).toThrow(
      /^SQS_PORT/,
    );
  });
});
