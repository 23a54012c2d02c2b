import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseRelayConfig,
  type QueueConfig,
  queueNameOf,
  type RelayConfig,
  RelayConfigError,
  readRelayConfig,
} from '../../infra/config.js';

const PROJECT_CDK_JSON = new URL('../../cdk.json', import.meta.url).pathname;

const VALID = {
  queues: {
    volunteering: { fifo: true },
    catalog: {},
    unrouted: {},
  },
  organizations: {
    '1': [
      { events: ['participation.*'], queue: 'volunteering' },
      { events: ['project.*', 'campaign.*'], queue: 'catalog' },
    ],
  },
  unrouted: 'unrouted',
};

const directory = mkdtempSync(join(tmpdir(), 'relay-config-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function findQueue(config: RelayConfig, key: string): QueueConfig {
  const queue = config.queues[key];
  if (queue === undefined) {
    throw new Error(`the config has no queue "${key}"`);
  }
  return queue;
}

/** The message parseRelayConfig fails with for one changed config. */
function readError(config: unknown): string {
  try {
    parseRelayConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('parseRelayConfig', () => {
  it('accepts a valid config and fills in the defaults', () => {
    const config = parseRelayConfig(VALID);

    expect(config).toMatchObject({
      queues: {
        volunteering: {
          fifo: true,
          retentionDays: 14,
          maxReceiveCount: 5,
          visibilityTimeoutSeconds: 60,
        },
        catalog: { fifo: false },
      },
      organizations: VALID.organizations,
      unrouted: 'unrouted',
      api: { rateLimit: 50, burstLimit: 100 },
      receiver: { memorySizeMb: 512, keyCacheSeconds: 300 },
      logRetentionDays: 30,
    });
    expect(config.receiver.maxBodyBytes).toBeUndefined();
  });

  it('keeps values that were given', () => {
    const config = parseRelayConfig({
      ...VALID,
      queues: { ...VALID.queues, catalog: { maxReceiveCount: 3 } },
      receiver: { maxBodyBytes: 65_536, keyCacheSeconds: 60 },
      alarmEmail: 'ops@example.com',
    });

    expect(config.queues.catalog?.maxReceiveCount).toBe(3);
    expect(config.receiver).toMatchObject({
      maxBodyBytes: 65_536,
      keyCacheSeconds: 60,
    });
    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('accepts a config without an unrouted queue', () => {
    const { unrouted: _, ...config } = VALID;

    expect(parseRelayConfig(config).unrouted).toBeUndefined();
  });

  it('accepts a thousand organizations', () => {
    const organizations = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, index) => [
        String(index + 1),
        [{ events: ['*'], queue: 'catalog' }],
      ]),
    );

    const config = parseRelayConfig({ ...VALID, organizations });

    expect(Object.keys(config.organizations)).toHaveLength(1_000);
  });

  it('says so when there is no config at all', () => {
    expect(readError(undefined)).toBe('cdk.json has no "context.vomo" section');
  });

  it('names a route to a queue that is not configured', () => {
    const config = {
      ...VALID,
      organizations: { '1': [{ events: ['project.*'], queue: 'missing' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.queue: names queue "missing", which "queues" lacks',
    );
  });

  it('names an unrouted queue that is not configured', () => {
    expect(readError({ ...VALID, unrouted: 'missing' })).toContain(
      'context.vomo.unrouted: names queue "missing", which "queues" lacks',
    );
  });

  it.each(['0', '01', 'abc', '-1', '1.5'])(
    'rejects the organization id %s, saying what an id is',
    (id) => {
      const config = { ...VALID, organizations: { [id]: [] } };

      expect(readError(config)).toContain(
        `context.vomo.organizations.${id}: use a positive integer id`,
      );
    },
  );

  it.each([
    ['a space', 'bad name'],
    ['a dot', 'queue.fifo'],
    ['76 characters', 'q'.repeat(76)],
  ])('rejects a queue name with %s, saying what a name is', (_, name) => {
    const config = { ...VALID, queues: { ...VALID.queues, [name]: {} } };

    expect(readError(config)).toContain(
      `context.vomo.queues.${name}: use 1-75 letters, digits, "-" or "_"`,
    );
  });

  it('accepts a queue name of 75 characters', () => {
    const name = 'q'.repeat(75);

    const config = parseRelayConfig({
      ...VALID,
      queues: { ...VALID.queues, [name]: { fifo: true } },
    });

    expect(queueNameOf(name, findQueue(config, name))).toBe(`${name}.fifo`);
  });

  it('rejects an event pattern with uppercase letters', () => {
    const config = {
      ...VALID,
      organizations: { '1': [{ events: ['Project.*'], queue: 'catalog' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.events.0: use lowercase letters',
    );
  });

  it('rejects a route without event patterns', () => {
    const config = {
      ...VALID,
      organizations: { '1': [{ events: [], queue: 'catalog' }] },
    };

    expect(readError(config)).toContain(
      'context.vomo.organizations.1.0.events: name at least one event pattern',
    );
  });

  it('rejects a config without queues', () => {
    expect(readError({ ...VALID, queues: {}, unrouted: undefined })).toContain(
      'context.vomo.queues: name one queue',
    );
  });

  it('rejects a key it does not know, naming it', () => {
    expect(readError({ ...VALID, queue: {} })).toContain(
      'context.vomo: Unrecognized key: "queue"',
    );
  });

  it('rejects a queue setting it does not know, naming it', () => {
    const config = { ...VALID, queues: { catalog: { fifoo: true } } };

    expect(readError(config)).toContain('context.vomo.queues.catalog:');
  });

  it.each([
    ['receiver.maxBodyBytes', { receiver: { maxBodyBytes: 1_044_481 } }],
    ['receiver.maxBodyBytes', { receiver: { maxBodyBytes: 1_023 } }],
    ['receiver.keyCacheSeconds', { receiver: { keyCacheSeconds: 3_601 } }],
    [
      'queues.catalog.retentionDays',
      { queues: { catalog: { retentionDays: 15 } } },
    ],
    ['queues.catalog.fifo', { queues: { catalog: { fifo: 'yes' } } }],
    ['api.burstLimit', { api: { burstLimit: 0 } }],
    ['alarmEmail', { alarmEmail: 'ops' }],
  ])('names %s when it is out of range', (path, change) => {
    const config = {
      ...VALID,
      unrouted: undefined,
      organizations: {},
      ...change,
    };

    expect(readError(config)).toContain(`context.vomo.${path}:`);
  });

  it('names every bad key in one error', () => {
    const config = {
      ...VALID,
      organizations: { '1': [{ events: ['Project.*'], queue: 'missing' }] },
      unrouted: 'absent',
    };

    const lines = readError(config).split('\n');

    expect(lines[0]).toBe('Invalid routing config in cdk.json:');
    expect(lines.slice(1)).toEqual([
      expect.stringContaining('context.vomo.organizations.1.0.events.0:'),
      expect.stringContaining('context.vomo.organizations.1.0.queue:'),
      expect.stringContaining('context.vomo.unrouted:'),
    ]);
  });
});

describe('readRelayConfig', () => {
  it("reads the project's own cdk.json", () => {
    const config = readRelayConfig(PROJECT_CDK_JSON);

    expect(Object.keys(config.queues).length).toBeGreaterThan(0);
  });

  it('fails when cdk.json has no vomo context', () => {
    const file = join(directory, 'cdk.json');
    writeFileSync(file, JSON.stringify({ app: 'npx tsx infra/app.ts' }));

    expect(() => readRelayConfig(file)).toThrow(RelayConfigError);
  });

  it('validates the vomo context it reads', () => {
    const file = join(directory, 'bad-cdk.json');
    writeFileSync(
      file,
      JSON.stringify({ context: { vomo: { ...VALID, unrouted: 'missing' } } }),
    );

    expect(() => readRelayConfig(file)).toThrow('context.vomo.unrouted');
  });
});

describe('queueNameOf', () => {
  it('adds the .fifo suffix to a FIFO queue', () => {
    const config = parseRelayConfig(VALID);

    expect(queueNameOf('volunteering', findQueue(config, 'volunteering'))).toBe(
      'volunteering.fifo',
    );
  });

  it('keeps the name of a standard queue', () => {
    const config = parseRelayConfig(VALID);

    expect(queueNameOf('catalog', findQueue(config, 'catalog'))).toBe(
      'catalog',
    );
  });
});
