/**
 * `npm start`: the receiver on http://127.0.0.1:3000/vomo, with the queues of
 * cdk.json on an embedded SQS-compatible server, or on AWS_ENDPOINT_URL, and
 * each configured consumer polling its queue.
 * Settings: see LOCAL_ENV in local-relay.ts and the README.
 */
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import {
  LOCAL_ENV,
  type LocalRelay,
  type LocalRelayOptions,
  readLocalRelayOptions,
  startLocalRelay,
} from './local-relay.js';
import { formatBatchOutcome } from './queue-consumer-runner.js';
import { formatSentMessage } from './sent-messages.js';

// The receiver and the consumers log through Powertools as in Lambda. Of the
// receiver only warnings and errors are worth a line locally, while a
// consumer's info lines are what a developer runs it for; POWERTOOLS_LOG_LEVEL,
// when set, applies to both. Metrics (EMF JSON) would drown every line.
const RECEIVER_LOG_LEVEL = (process.env.POWERTOOLS_LOG_LEVEL ||
  'WARN') as LogLevel;
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
      receiverLogLevel: RECEIVER_LOG_LEVEL,
      onForward: (message) => console.log(formatSentMessage(message)),
      onConsume: (outcome) => console.log(formatBatchOutcome(outcome)),
      onConsumerError: (queue, error) =>
        console.error(`consumer of ${queue}: ${describeError(error)}`),
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
    ...relay.consumers.map(
      (consumer) =>
        `Consumer:      ${consumer.queue} -> ${consumer.entry} (${consumer.handler})`,
    ),
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

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
