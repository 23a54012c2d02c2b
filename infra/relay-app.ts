import { App, type AppProps, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseRelayConfig } from './config.js';
import { RelayStack } from './relay-stack.js';

/**
 * Builds the app from the `vomo` context (cdk.json, or `--context`): one
 * stack, checked against the AWS Solutions rules at every synth.
 */
export function createRelayApp(props?: AppProps): App {
  const app = new App(props);
  const config = parseRelayConfig(app.node.tryGetContext('vomo'));

  new RelayStack(app, config.stackName, {
    config,
    description: 'VOMO webhooks, verified and routed to SQS (vomo-relay)',
    env: readDeployEnvironment(process.env),
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * The account and region the CLI found in the user's AWS configuration. The
 * CLI always names a region, us-east-1 when it knows none, so only a known
 * account pins the stack; without one it stays environment-agnostic.
 */
export function readDeployEnvironment(
  env: NodeJS.ProcessEnv,
): Environment | undefined {
  const account = env.CDK_DEFAULT_ACCOUNT;
  if (account === undefined || account === '') {
    return undefined;
  }

  return { account, region: env.CDK_DEFAULT_REGION };
}
