import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RECEIVER_ENV,
  type ReceiverEnvironment,
  ROUTING_FILE_NAME,
  readReceiverEnvironment,
} from '../../functions/receiver/environment.js';
import type { RoutingTable } from '../../functions/receiver/routes.js';

const ROUTING: RoutingTable = {
  organizations: {
    '1': [{ events: ['project.*'], queue: 'catalog' }],
  },
  unrouted: 'unrouted',
};

const QUEUE_URLS = {
  catalog: 'https://sqs.eu-west-1.amazonaws.com/123456789012/catalog',
  unrouted: 'https://sqs.eu-west-1.amazonaws.com/123456789012/unrouted',
};

const directory = mkdtempSync(join(tmpdir(), 'receiver-environment-'));
const routingFile = join(directory, ROUTING_FILE_NAME);
writeFileSync(routingFile, JSON.stringify(ROUTING));

const ENV: NodeJS.ProcessEnv = {
  [RECEIVER_ENV.secretId]: 'vomo/signing-keys',
  [RECEIVER_ENV.queueUrls]: JSON.stringify(QUEUE_URLS),
  [RECEIVER_ENV.routingFile]: routingFile,
};

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('readReceiverEnvironment', () => {
  it('reads secret, queue URLs and routing table', () => {
    const expected: ReceiverEnvironment = {
      secretId: 'vomo/signing-keys',
      queueUrls: QUEUE_URLS,
      routing: ROUTING,
      maxBodyBytes: undefined,
      keyCacheMs: undefined,
    };

    expect(readReceiverEnvironment(ENV)).toEqual(expected);
  });

  it('reads the body limit in bytes and the key cache in milliseconds', () => {
    const environment = readReceiverEnvironment({
      ...ENV,
      [RECEIVER_ENV.maxBodyBytes]: '65536',
      [RECEIVER_ENV.keyCacheSeconds]: '120',
    });

    expect(environment.maxBodyBytes).toBe(65_536);
    expect(environment.keyCacheMs).toBe(120_000);
  });

  it('reads an empty number variable as unset', () => {
    const environment = readReceiverEnvironment({
      ...ENV,
      [RECEIVER_ENV.maxBodyBytes]: '',
    });

    expect(environment.maxBodyBytes).toBeUndefined();
  });

  it('finds the routing table beside the handler when no file is named', () => {
    const environment = readReceiverEnvironment({
      ...ENV,
      [RECEIVER_ENV.routingFile]: undefined,
      LAMBDA_TASK_ROOT: directory,
    });

    expect(environment.routing).toEqual(ROUTING);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
  ])('names the secret variable when it is %s', (_, value) => {
    const env = { ...ENV, [RECEIVER_ENV.secretId]: value };

    expect(() => readReceiverEnvironment(env)).toThrow(
      'VOMO_SIGNING_KEYS_SECRET is not set',
    );
  });

  it('names the queue URL variable when it is missing', () => {
    const env = { ...ENV, [RECEIVER_ENV.queueUrls]: undefined };

    expect(() => readReceiverEnvironment(env)).toThrow(
      'VOMO_QUEUE_URLS is not set',
    );
  });

  it('names the queue URL variable when it is not JSON', () => {
    const env = { ...ENV, [RECEIVER_ENV.queueUrls]: 'catalog=https://x.test' };

    expect(() => readReceiverEnvironment(env)).toThrow(
      'VOMO_QUEUE_URLS is not a JSON object of queue URLs',
    );
  });

  it('rejects queue URLs that are not URLs', () => {
    const env = {
      ...ENV,
      [RECEIVER_ENV.queueUrls]: JSON.stringify({ catalog: 'catalog' }),
    };

    expect(() => readReceiverEnvironment(env)).toThrow(
      'VOMO_QUEUE_URLS must map queue names to URLs',
    );
  });

  it.each(['1.5', '-1', 'ten'])(
    'rejects a body limit of %s, naming the variable',
    (value) => {
      const env = { ...ENV, [RECEIVER_ENV.maxBodyBytes]: value };

      expect(() => readReceiverEnvironment(env)).toThrow(
        `VOMO_MAX_BODY_BYTES must be a whole number, not "${value}"`,
      );
    },
  );

  it('rejects a key cache time that is not a whole number', () => {
    const env = { ...ENV, [RECEIVER_ENV.keyCacheSeconds]: '0.5' };

    expect(() => readReceiverEnvironment(env)).toThrow(
      /^VOMO_KEY_CACHE_SECONDS must be a whole number/,
    );
  });

  it('rejects a routing table of the wrong shape, naming where', () => {
    const badFile = join(directory, 'bad-routing.json');
    writeFileSync(badFile, JSON.stringify({ organizations: { '1': {} } }));
    const env = { ...ENV, [RECEIVER_ENV.routingFile]: badFile };

    expect(() => readReceiverEnvironment(env)).toThrow(
      'routing table is invalid at: organizations.1',
    );
  });

  it('fails when the routing file is missing', () => {
    const env = {
      ...ENV,
      [RECEIVER_ENV.routingFile]: join(directory, 'absent.json'),
    };

    expect(() => readReceiverEnvironment(env)).toThrow(/absent\.json/);
  });
});
