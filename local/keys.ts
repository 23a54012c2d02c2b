/**
 * `npm run keys -- set <organization id> [--rotate]`, `retire <organization
 * id>`, `list`: manages the signing keys in the deployed secret. A key is read
 * from standard input and is never printed, logged or passed as an argument.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  parseSigningKeys,
  type SigningKeyMap,
} from '../functions/receiver/signing-keys.js';
import { readRelayConfig } from '../infra/config.js';
import { STACK_OUTPUT } from '../infra/stack-outputs.js';

export const KEYS_USAGE = `Usage:
  npm run keys -- set <organization id> [--rotate]   key from standard input
  npm run keys -- retire <organization id>           keep only the newest key
  npm run keys -- list                               ids and key counts

Options:
  --secret <arn>    the signing-keys secret; by default the stack's
                    SigningKeysSecretArn output
  --stack <name>    the stack to read that output from; by default the
                    stackName in cdk.json (VomoRelay)

AWS credentials and region come from the usual AWS_PROFILE, AWS_REGION, ...`;

/** The command line did not make sense; the usage is worth showing. */
export class KeysUsageError extends Error {
  override readonly name = 'KeysUsageError';
}

/** What to do to the key store. */
export type KeysAction =
  | { readonly name: 'set'; readonly organizationId: string; rotate: boolean }
  | { readonly name: 'retire'; readonly organizationId: string }
  | { readonly name: 'list' };

/** A parsed command line: the action and where the secret is found. */
export interface KeysCommand {
  readonly action: KeysAction;
  readonly secretId?: string | undefined;
  readonly stackName?: string | undefined;
}

/** What the command needs from the outside; tests pass their own. */
export interface KeysIo {
  readonly readKey: (organizationId: string) => Promise<string>;
  readonly print: (line: string) => void;
  readonly secrets: SecretsManagerClient;
  readonly cloudFormation: CloudFormationClient;
  readonly cdkJsonPath: string;
}

const ORGANIZATION_ID = /^[1-9][0-9]{0,15}$/;
const TRAILING_NEWLINE = /\r?\n$/;
const CTRL_C = '\u0003';
const BACKSPACES = new Set(['\u007f', '\b']);

/** Reads the command line: one action, an id where needed, two options. */
export function parseKeysArguments(args: readonly string[]): KeysCommand {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    throw new KeysUsageError(
      error instanceof Error ? error.message : String(error),
    );
  }

  const { values, positionals } = parsed;
  return {
    action: readAction(positionals, values.rotate ?? false),
    secretId: values.secret,
    stackName: values.stack,
  };
}

function parseOptions(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      rotate: { type: 'boolean' },
      secret: { type: 'string' },
      stack: { type: 'string' },
    },
  });
}

function readAction(
  positional: readonly string[],
  rotate: boolean,
): KeysAction {
  const [name, organizationId, ...rest] = positional;

  if (name === 'list' && organizationId === undefined && !rotate) {
    return { name };
  }

  if ((name === 'set' || name === 'retire') && rest.length === 0) {
    if (organizationId === undefined || !ORGANIZATION_ID.test(organizationId)) {
      throw new KeysUsageError(`${name} needs a positive organization id`);
    }
    if (name === 'retire' && rotate) {
      throw new KeysUsageError('--rotate goes with set');
    }
    return name === 'set'
      ? { name, organizationId, rotate }
      : { name, organizationId };
  }

  throw new KeysUsageError(
    name === undefined
      ? 'name a command'
      : `cannot run "${positional.join(' ')}"`,
  );
}

/**
 * Gives an organization a new key. With `rotate` the key in use stays valid
 * beside it, newest first, so VOMO can switch over without failed deliveries.
 */
export function setKey(
  keys: SigningKeyMap,
  organizationId: string,
  key: string,
  rotate: boolean,
): SigningKeyMap {
  const current = keys.get(organizationId)?.[0];
  const kept = rotate && current !== undefined && current !== key;

  return new Map(keys).set(organizationId, kept ? [key, current] : [key]);
}

/** Ends a rotation: an organization keeps only its newest key. */
export function retireKeys(
  keys: SigningKeyMap,
  organizationId: string,
): SigningKeyMap {
  const newest = keys.get(organizationId)?.[0];
  if (newest === undefined) {
    throw new Error(`organization ${organizationId} has no key`);
  }

  return new Map(keys).set(organizationId, [newest]);
}

/** The secret's text: one key as a string, a rotation as a list. */
export function formatSigningKeys(keys: SigningKeyMap): string {
  const entries = sortById([...keys]).map(([id, list]) => [
    id,
    list.length === 1 ? list[0] : list,
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}

/** One line per organization, with its key count and never a key. */
export function describeSigningKeys(keys: SigningKeyMap): string[] {
  if (keys.size === 0) {
    return ['no organization has a key yet'];
  }

  return sortById([...keys]).map(
    ([id, list]) =>
      `${id}  ${list.length} ${list.length === 1 ? 'key' : 'keys'}`,
  );
}

/**
 * Turns what was typed or piped into a key: one trailing newline goes, and
 * anything else that looks like a paste accident is refused.
 */
export function cleanKey(text: string): string {
  const key = text.replace(TRAILING_NEWLINE, '');

  if (key === '') {
    throw new Error('no key was given on standard input');
  }
  if (/[\r\n]/.test(key)) {
    throw new Error('the key must be a single line');
  }
  if (key.trim() !== key) {
    throw new Error('the key starts or ends with whitespace');
  }

  return key;
}

/** The secret named on the command line, or the stack's output. */
export async function resolveSecretId(
  command: KeysCommand,
  io: Pick<KeysIo, 'cloudFormation' | 'cdkJsonPath'>,
): Promise<string> {
  if (command.secretId !== undefined) {
    return command.secretId;
  }

  const stackName =
    command.stackName ?? readRelayConfig(io.cdkJsonPath).stackName;
  const { Stacks } = await io.cloudFormation.send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const output = Stacks?.[0]?.Outputs?.find(
    (entry) => entry.OutputKey === STACK_OUTPUT.signingKeysSecretArn,
  );

  if (output?.OutputValue === undefined) {
    throw new Error(
      `stack ${stackName} has no ${STACK_OUTPUT.signingKeysSecretArn} ` +
        `output; deploy it or pass --secret`,
    );
  }
  return output.OutputValue;
}

/**
 * Reads the keys. A secret created by the stack has no value until the first
 * key is set, which reads as no keys; a value that is not a key map stops
 * the command rather than being overwritten.
 */
export async function readStoredKeys(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SigningKeyMap> {
  let text: string | undefined;
  try {
    const output = await client.send(
      new GetSecretValueCommand({ SecretId: secretId }),
    );
    text = output.SecretString;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) {
      throw error;
    }
    await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  }

  return text === undefined ? new Map() : parseSigningKeys(text);
}

/** Runs one command line; answers the exit code. */
export async function runKeys(
  args: readonly string[],
  io: KeysIo,
): Promise<number> {
  const command = parseKeysArguments(args);
  const { action } = command;

  const secretId = await resolveSecretId(command, io);
  const keys = await readStoredKeys(io.secrets, secretId);

  if (action.name === 'list') {
    for (const line of describeSigningKeys(keys)) {
      io.print(line);
    }
    return 0;
  }

  const updated =
    action.name === 'set'
      ? setKey(
          keys,
          action.organizationId,
          cleanKey(await io.readKey(action.organizationId)),
          action.rotate,
        )
      : retireKeys(keys, action.organizationId);

  await io.secrets.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: formatSigningKeys(updated),
    }),
  );

  const count = updated.get(action.organizationId)?.length ?? 0;
  io.print(
    `organization ${action.organizationId} now has ${count} ${count === 1 ? 'key' : 'keys'}, ` +
      `newest first`,
  );
  return 0;
}

/**
 * Reads a key from standard input: typed at a terminal without echo, or
 * piped in (`< key.txt`, `printf %s "$KEY" |`).
 */
export async function readKeyFromStdin(
  organizationId: string,
): Promise<string> {
  const { stdin, stderr } = process;

  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) {
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  stderr.write(`Signing key for organization ${organizationId} (hidden): `);
  return readHiddenLine(stdin, stderr);
}

function readHiddenLine(
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WriteStream,
): Promise<string> {
  let text = '';
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();

  return new Promise((resolve, reject) => {
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };

    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(text);
          return;
        }
        if (char === CTRL_C) {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        text = BACKSPACES.has(char) ? text.slice(0, -1) : text + char;
      }
    };

    stdin.on('data', onData);
  });
}

function sortById<T>(entries: [string, T][]): [string, T][] {
  return entries.sort(([a], [b]) => Number(a) - Number(b));
}

async function main(): Promise<void> {
  // The SDK reads AWS_REGION only; the AWS CLI reads AWS_DEFAULT_REGION.
  // Either names the region here, as for the rest of the project's tools.
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  const args = process.argv.slice(2);

  if (args.includes('--help') || args.includes('-h')) {
    console.log(KEYS_USAGE);
    return;
  }

  try {
    process.exitCode = await runKeys(args, {
      readKey: readKeyFromStdin,
      print: (line) => console.log(line),
      secrets: new SecretsManagerClient({ region }),
      cloudFormation: new CloudFormationClient({ region }),
      cdkJsonPath: fileURLToPath(new URL('../cdk.json', import.meta.url)),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    if (error instanceof KeysUsageError) {
      console.error(KEYS_USAGE);
    }
    process.exitCode = 1;
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await main();
}
