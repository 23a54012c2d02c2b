import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type ICommandHooks,
  NodejsFunction,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT, resolveProjectPath } from './config.js';

/**
 * The newest Node.js runtime this aws-cdk-lib knows; a test fails when a
 * newer one appears, so moving up is a deliberate change.
 */
export const RELAY_RUNTIME = lambda.Runtime.NODEJS_24_X;

const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** What differs between the relay's functions; the rest is house defaults. */
export interface RelayFunctionProps {
  /** The handler module, relative to the repository root. */
  readonly entry: string;
  /** The entry's export Lambda calls; `handler` unless told otherwise. */
  readonly handler?: string;
  readonly description: string;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment?: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number | undefined;
  /** Files written beside the bundled handler: name to text. */
  readonly bundledFiles?: Readonly<Record<string, string>>;
}

/**
 * A Node.js Lambda bundled by the local esbuild, with its own log group and
 * a role that may write to that log group and nothing else until granted.
 */
export class RelayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of the managed basic-execution policy, whose
    // log permissions reach every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: resolveProjectPath(props.entry),
      handler: props.handler ?? 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: RELAY_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment },
      reservedConcurrentExecutions: props.reservedConcurrency,
      bundling: {
        forceDockerBundling: false,
        // ESM like the project itself; the banner gives bundled CommonJS
        // dependencies the `require` they expect for Node's own modules.
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        // The SDK goes into the bundle: a pinned, tree-shaken copy loads
        // faster than the runtime's full one and cannot change under us.
        externalModules: [],
        mainFields: ['module', 'main'],
        commandHooks: copyFilesAfterBundling(this, props.bundledFiles ?? {}),
      },
    });
  }
}

/**
 * Writes each file at synth time and copies it into the bundle once esbuild
 * is done; `node` does the copying so the hook runs on any shell.
 */
function copyFilesAfterBundling(
  scope: Construct,
  files: Readonly<Record<string, string>>,
): ICommandHooks {
  const staged = stageFiles(scope, files);
  const copy =
    "require('node:fs').copyFileSync(process.argv[1],process.argv[2])";

  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      staged.map(
        ({ name, path }) =>
          `node -e "${copy}" "${path}" "${join(outputDir, name)}"`,
      ),
  };
}

function stageFiles(
  scope: Construct,
  files: Readonly<Record<string, string>>,
): { name: string; path: string }[] {
  const outdir = Stage.of(scope)?.outdir ?? PROJECT_ROOT;
  const directory = resolve(outdir, 'bundled-files', scope.node.addr);
  mkdirSync(directory, { recursive: true });

  return Object.entries(files).map(([name, text]) => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return { name, path };
  });
}
