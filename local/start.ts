/**
 * `npm start`: the receiver on http://127.0.0.1:3000/vomo, with the queues of
 * cdk.json on an embedded SQS-compatible server, or on AWS_ENDPOINT_URL.
 * Settings: see LOCAL_ENV in local-relay.ts and the README.
 */
import {
  LOCAL_ENV,
  type LocalRelay,
  type LocalRelayOptions,
  readLocalRelayOptions,
  startLocalRelay,
} from './local-relay.js';
import { formatSentMessage } from './sent-messages.js';

// The receiver logs through Powertools as in Lambda; locally only warnings
// and errors are worth a line, and metrics (EMF JSON) would drown them.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

await main();

async function main(): Promise<void> {
  let options: LocalRelayOptions;
  let relay: LocalRelay;
  try {
    options = readLocalRelayOptions(process.env);
    relay = await startLocalRelay({
      ...options,
      onForward: (message) => console.log(formatSentMessage(message)),
    });
  } catch (error) {
    console.error(describeStartFailure(error));
    process.exit(1);
  }

  console.log(describeRelay(relay, options).join('\n'));

  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      void relay.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

function describeRelay(
  relay: LocalRelay,
  options: LocalRelayOptions,
): string[] {
  return [
    `VOMO webhook:  POST ${relay.url}`,
    `SQS endpoint:  ${relay.sqsEndpoint}`,
    ...Object.values(relay.queueUrls).map((url) => `  queue  ${url}`),
    '',
    ...describeKeys(relay, options),
    '',
    'Ctrl-C stops.',
  ];
}

function describeKeys(relay: LocalRelay, options: LocalRelayOptions): string[] {
  const { keys } = relay;

  switch (keys.kind) {
    case 'generated':
      return [
        'Signing key (made up for this run; set VOMO_SIGNING_KEY to keep one):',
        `  ${keys.key}`,
        'Send a sample event from another terminal:',
        `  VOMO_SIGNING_KEY=${keys.key} npm run send -- participation.created`,
      ];
    case 'environment':
      return [`Signing keys from ${LOCAL_ENV.signingKey}(S).`];
    case 'secret':
      return [
        ...describeSecret(keys.secretId, keys.problem),
        ...(options.signingKey || options.signingKeys
          ? [`${LOCAL_ENV.signingKey}(S) is ignored while the secret is used.`]
          : []),
      ];
  }
}

function describeSecret(secretId: string, problem?: string): string[] {
  const lines = [`Signing keys from the secret "${secretId}".`];
  if (problem === undefined) {
    return lines;
  }

  return [
    ...lines,
    `It cannot be read yet (${problem}); every request gets 503 until it can.`,
    'Create it, for example:',
    `  aws --endpoint-url "$${LOCAL_ENV.awsEndpointUrl}" secretsmanager \\`,
    `    create-secret --name ${secretId} --secret-string '{"1":"<key>"}'`,
  ];
}

function describeStartFailure(error: unknown): string {
  if (!(error instanceof Error)) {
    return `Local mode could not start: ${String(error)}`;
  }

  if ('code' in error && error.code === 'EADDRINUSE') {
    return (
      `Local mode could not start: ${error.message}. ` +
      `Set ${LOCAL_ENV.port} or ${LOCAL_ENV.sqsPort} to a free port.`
    );
  }

  return `Local mode could not start: ${error.message}`;
}
