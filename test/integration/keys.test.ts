import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CloudFormationClient,
  CreateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { STACK_OUTPUT } from '../../infra/stack-outputs.js';
import {
  cleanKey,
  formatSigningKeys,
  type KeysIo,
  KeysUsageError,
  parseKeysArguments,
  retireKeys,
  runKeys,
  setKey,
} from '../../local/keys.js';
import { SAMPLE_ROUTING, writeCdkJson } from '../fixtures/relay-config.js';
import { useMotoServer } from './moto-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;
const KEYS_SCRIPT = `${ROOT}local/keys.ts`;

const STACK_NAME = 'VomoKeysTest';
const NEW_KEY = 'k-new-5f1c';
const OLD_KEY = 'k-old-93ab';
const OTHER_KEY = 'k-other-77de';

const moto = useMotoServer();

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function buildIo(key = NEW_KEY): KeysIo & { printed: string[] } {
  const printed: string[] = [];
  return {
    printed,
    readKey: async () => key,
    print: (line) => printed.push(line),
    secrets: new SecretsManagerClient({}),
    cloudFormation: new CloudFormationClient({}),
    cdkJsonPath: writeCdkJson({ ...SAMPLE_ROUTING, stackName: STACK_NAME }),
  };
}

/** Creates the secret as the stack does: a name, a description, no value. */
async function createEmptySecret(): Promise<string> {
  const client = new SecretsManagerClient({});
  const { ARN } = await client.send(
    new CreateSecretCommand({ Name: 'vomo-relay-signing-keys' }),
  );
  if (ARN === undefined) {
    throw new Error('moto returned no secret ARN');
  }
  return ARN;
}

async function storeText(secretId: string, text: string): Promise<void> {
  await new SecretsManagerClient({}).send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: text }),
  );
}

async function readText(secretId: string): Promise<string | undefined> {
  const output = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: secretId }),
  );
  return output.SecretString;
}

async function readStored(secretId: string): Promise<unknown> {
  return JSON.parse((await readText(secretId)) ?? 'null');
}

async function createStack(name: string, secretArn: string): Promise<void> {
  const template = {
    Resources: { Marker: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: { [STACK_OUTPUT.signingKeysSecretArn]: { Value: secretArn } },
  };
  await new CloudFormationClient({}).send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
    }),
  );
}

function runCli(args: readonly string[], input: string): Promise<CliRun> {
  const child = spawn(TSX, [KEYS_SCRIPT, ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(input);

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('parseKeysArguments', () => {
  it('reads a rotating set with an explicit secret', () => {
    const command = parseKeysArguments([
      'set',
      '42',
      '--rotate',
      '--secret',
      'arn:aws:secretsmanager:eu-west-1:1:secret:x',
    ]);

    expect(command).toEqual({
      action: { name: 'set', organizationId: '42', rotate: true },
      secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
      stackName: undefined,
    });
  });

  it('reads retire and list with a stack name', () => {
    expect(parseKeysArguments(['retire', '7', '--stack', 'Other'])).toEqual({
      action: { name: 'retire', organizationId: '7' },
      secretId: undefined,
      stackName: 'Other',
    });
    expect(parseKeysArguments(['list']).action).toEqual({ name: 'list' });
  });

  it.each([
    [[]],
    [['set']],
    [['set', '0']],
    [['set', 'acme']],
    [['set', '1', '2']],
    [['retire', '1', '--rotate']],
    [['list', '1']],
    [['show']],
    [['set', '1', '--key', 'inline']],
    [['set', '1', '--secret']],
  ])('refuses %j', (args) => {
    expect(() => parseKeysArguments(args)).toThrow(KeysUsageError);
  });
});

describe('setKey', () => {
  const keys = new Map([
    ['1', [OLD_KEY]],
    ['2', [OTHER_KEY]],
  ]);

  it('replaces the key without rotation', () => {
    expect(setKey(keys, '1', NEW_KEY, false).get('1')).toEqual([NEW_KEY]);
  });

  it('keeps the key in use behind the new one with rotation', () => {
    expect(setKey(keys, '1', NEW_KEY, true).get('1')).toEqual([
      NEW_KEY,
      OLD_KEY,
    ]);
  });

  it('keeps only the newest previous key when rotating twice', () => {
    const twice = setKey(setKey(keys, '1', 'k-mid', true), '1', NEW_KEY, true);

    expect(twice.get('1')).toEqual([NEW_KEY, 'k-mid']);
  });

  it('does not list a key twice when the same key is set again', () => {
    expect(setKey(keys, '1', OLD_KEY, true).get('1')).toEqual([OLD_KEY]);
  });

  it('leaves the other organizations and the input alone', () => {
    const updated = setKey(keys, '3', NEW_KEY, true);

    expect(updated.get('2')).toEqual([OTHER_KEY]);
    expect(updated.get('3')).toEqual([NEW_KEY]);
    expect(keys.has('3')).toBe(false);
  });
});

describe('retireKeys', () => {
  it('keeps only the newest key', () => {
    const keys = new Map([['1', [NEW_KEY, OLD_KEY]]]);

    expect(retireKeys(keys, '1').get('1')).toEqual([NEW_KEY]);
  });

  it('refuses an organization without keys', () => {
    expect(() => retireKeys(new Map(), '9')).toThrow(/organization 9/);
  });
});

describe('formatSigningKeys', () => {
  it('writes one key as a string and a rotation as a list, by id', () => {
    const keys = new Map([
      ['10', [OTHER_KEY]],
      ['2', [NEW_KEY, OLD_KEY]],
    ]);

    expect(formatSigningKeys(keys)).toBe(
      `{"2":["${NEW_KEY}","${OLD_KEY}"],"10":"${OTHER_KEY}"}`,
    );
  });
});

describe('cleanKey', () => {
  it('drops one trailing newline of either style', () => {
    expect(cleanKey(`${NEW_KEY}\n`)).toBe(NEW_KEY);
    expect(cleanKey(`${NEW_KEY}\r\n`)).toBe(NEW_KEY);
    expect(cleanKey(NEW_KEY)).toBe(NEW_KEY);
  });

  it.each([
    ['', /no key/],
    ['\n', /no key/],
    [`${NEW_KEY}\n\n`, /single line/],
    [`${NEW_KEY}\n${OLD_KEY}`, /single line/],
    [` ${NEW_KEY}`, /whitespace/],
    [`${NEW_KEY}\t`, /whitespace/],
  ])('refuses %j without quoting it', (text, message) => {
    expect(() => cleanKey(text)).toThrow(message);
    try {
      cleanKey(text);
    } catch (error) {
      expect(String(error)).not.toContain(NEW_KEY);
    }
  });
});

describe('runKeys', () => {
  let secretArn: string;

  beforeEach(async () => {
    await moto.server().reset();
    secretArn = await createEmptySecret();
  });

  it('sets the first key in the secret the stack left without a value', async () => {
    const io = buildIo();

    const code = await runKeys(['set', '1', '--secret', secretArn], io);

    expect(code).toBe(0);
    expect(await readStored(secretArn)).toEqual({ '1': NEW_KEY });
    expect(io.printed.join('\n')).not.toContain(NEW_KEY);
  });

  it('keeps the keys of every other organization', async () => {
    await storeText(
      secretArn,
      JSON.stringify({ '1': OLD_KEY, '2': OTHER_KEY }),
    );

    await runKeys(['set', '3', '--secret', secretArn], buildIo());

    expect(await readStored(secretArn)).toEqual({
      '1': OLD_KEY,
      '2': OTHER_KEY,
      '3': NEW_KEY,
    });
  });

  it('replaces the key of an organization without --rotate', async () => {
    await storeText(secretArn, JSON.stringify({ '1': OLD_KEY }));

    await runKeys(['set', '1', '--secret', secretArn], buildIo());

    expect(await readStored(secretArn)).toEqual({ '1': NEW_KEY });
  });

  it('keeps the previous key beside the new one with --rotate, newest first', async () => {
    await storeText(secretArn, JSON.stringify({ '1': OLD_KEY }));

    await runKeys(['set', '1', '--rotate', '--secret', secretArn], buildIo());

    expect(await readStored(secretArn)).toEqual({ '1': [NEW_KEY, OLD_KEY] });
  });

  it('retires every key but the newest', async () => {
    await storeText(
      secretArn,
      JSON.stringify({ '1': [NEW_KEY, OLD_KEY], '2': OTHER_KEY }),
    );

    await runKeys(['retire', '1', '--secret', secretArn], buildIo());

    expect(await readStored(secretArn)).toEqual({
      '1': NEW_KEY,
      '2': OTHER_KEY,
    });
  });

  it('lists organization ids and key counts and never a key', async () => {
    await storeText(
      secretArn,
      JSON.stringify({ '12': OTHER_KEY, '3': [NEW_KEY, OLD_KEY] }),
    );
    const io = buildIo();

    await runKeys(['list', '--secret', secretArn], io);

    expect(io.printed).toEqual(['3  2 keys', '12  1 key']);
    const printed = io.printed.join('\n');
    for (const key of [NEW_KEY, OLD_KEY, OTHER_KEY]) {
      expect(printed).not.toContain(key);
    }
  });

  it('says so when no organization has a key yet', async () => {
    const io = buildIo();

    await runKeys(['list', '--secret', secretArn], io);

    expect(io.printed).toEqual(['no organization has a key yet']);
  });

  it('finds the secret through the output of the stack named in cdk.json', async () => {
    await createStack(STACK_NAME, secretArn);

    await runKeys(['set', '5'], buildIo());

    expect(await readStored(secretArn)).toEqual({ '5': NEW_KEY });
  });

  it('finds the secret through the output of the stack given by --stack', async () => {
    await createStack('VomoElsewhere', secretArn);

    await runKeys(['set', '6', '--stack', 'VomoElsewhere'], buildIo());

    expect(await readStored(secretArn)).toEqual({ '6': NEW_KEY });
  });

  it('fails when the stack is not deployed', async () => {
    await expect(runKeys(['list'], buildIo())).rejects.toThrow(STACK_NAME);
  });

  it('fails when the secret does not exist', async () => {
    const missing = `${secretArn.slice(0, -6)}Nope00`;

    await expect(
      runKeys(['list', '--secret', missing], buildIo()),
    ).rejects.toThrow(/can't find the specified secret/);
  });

  it('refuses to overwrite a secret that holds something other than keys', async () => {
    await storeText(secretArn, 'a-random-password');

    await expect(
      runKeys(['set', '1', '--secret', secretArn], buildIo()),
    ).rejects.toThrow(/signing keys are not valid JSON/);
    expect(await readText(secretArn)).toBe('a-random-password');
  });

  it('refuses an empty key and leaves the secret as it was', async () => {
    await storeText(secretArn, JSON.stringify({ '1': OLD_KEY }));

    await expect(
      runKeys(['set', '1', '--secret', secretArn], buildIo('\n')),
    ).rejects.toThrow(/no key/);
    expect(await readStored(secretArn)).toEqual({ '1': OLD_KEY });
  });
});

describe('npm run keys', () => {
  beforeEach(async () => {
    await moto.server().reset();
  });

  it('reads a piped key from standard input and prints no key', async () => {
    const secretArn = await createEmptySecret();

    const run = await runCli(
      ['set', '7', '--secret', secretArn],
      `${NEW_KEY}\n`,
    );

    expect(run.code).toBe(0);
    expect(await readStored(secretArn)).toEqual({ '7': NEW_KEY });
    expect(run.stdout).toContain('organization 7 now has 1 key');
    expect(run.stdout + run.stderr).not.toContain(NEW_KEY);
  });

  it('prints the usage and exits with 0 when asked for help', async () => {
    const run = await runCli(['--help'], '');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage:');
    expect(run.stderr).not.toContain('Unknown option');
  });

  it('exits with 1 and the usage on a bad command line', async () => {
    const run = await runCli(['set', 'acme'], '');

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Usage:');
  });
});
