import { describe, expect, it } from 'vitest';
import {
  LOG_RETENTION_DAYS,
  parseRelayConfig,
  RelayConfigError,
} from '../../infra/config.js';
import { TEST_CONFIG } from './synthesize.js';

function readIssues(raw: object): string {
  try {
    parseRelayConfig(raw);
  } catch (error) {
    if (error instanceof RelayConfigError) {
      return error.message;
    }
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseRelayConfig', () => {
  it('fills in the defaults the stack reads', () => {
    const config = parseRelayConfig(TEST_CONFIG);

    expect(config).toMatchObject({
      stackName: 'VomoRelay',
      api: { rateLimit: 50, burstLimit: 100 },
      receiver: { memorySizeMb: 512, keyCacheSeconds: 300, logLevel: 'INFO' },
      alarms: { unauthorizedPerFiveMinutes: 10, oldestMessageAgeMinutes: 60 },
      logRetentionDays: 30,
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(config.receiver.reservedConcurrency).toBeUndefined();
  });

  it('accepts every retention CloudWatch Logs offers', () => {
    for (const days of LOG_RETENTION_DAYS) {
      const config = parseRelayConfig({
        ...TEST_CONFIG,
        logRetentionDays: days,
      });

      expect(config.logRetentionDays).toBe(days);
    }
  });

  it('rejects a retention CloudWatch Logs does not offer, naming the key', () => {
    const message = readIssues({ ...TEST_CONFIG, logRetentionDays: 2 });

    expect(message).toContain('context.vomo.logRetentionDays');
  });

  it('rejects a stack name CloudFormation would refuse', () => {
    const message = readIssues({ ...TEST_CONFIG, stackName: 'vomo_relay' });

    expect(message).toContain('context.vomo.stackName');
  });

  it('rejects an unknown log level', () => {
    const message = readIssues({
      ...TEST_CONFIG,
      receiver: { logLevel: 'LOUD' },
    });

    expect(message).toContain('context.vomo.receiver.logLevel');
  });

  it('rejects an unknown alarm setting', () => {
    const message = readIssues({
      ...TEST_CONFIG,
      alarms: { unauthorisedPerMinute: 3 },
    });

    expect(message).toContain('context.vomo.alarms');
  });

  it('rejects an alarm email that is not an address', () => {
    const message = readIssues({ ...TEST_CONFIG, alarmEmail: 'operations' });

    expect(message).toContain('context.vomo.alarmEmail');
  });
});
