import type { AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createRelayApp } from '../../infra/relay-app.js';
import { RelayStack } from '../../infra/relay-stack.js';
import { SAMPLE_ROUTING } from '../fixtures/relay-config.js';

/** The stack a config synthesizes to, and its CloudFormation template. */
export interface SynthesizedRelay {
  readonly stack: RelayStack;
  readonly template: Template;
}

/** Options for one synth; bundling is skipped unless asked for. */
export interface SynthesizeOptions {
  readonly bundle?: boolean;
  readonly appProps?: AppProps;
}

/** Synthesizes the relay app for a raw `vomo` config, as `cdk synth` would. */
export function synthesizeRelay(
  config: object = SAMPLE_ROUTING,
  options: SynthesizeOptions = {},
): SynthesizedRelay {
  const app = createRelayApp({
    // The CloudFormation schema check costs seconds per synth; the app test
    // runs it once, and every other test looks at the template itself.
    builtinCloudFormationValidation: false,
    ...options.appProps,
    context: {
      vomo: config,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.appProps?.context,
    },
  });

  const stack = app.node.children.find(
    (child): child is RelayStack => child instanceof RelayStack,
  );
  if (stack === undefined) {
    throw new Error('the app has no relay stack');
  }

  return { stack, template: Template.fromStack(stack) };
}

/** Builds a config of many organizations, each with routes of its own. */
export function buildLargeConfig(organizations: number): object {
  const entries = Array.from({ length: organizations }, (_, index) => {
    const id = index + 1;
    return [
      String(id),
      [
        {
          events: ['participation.*', `project.${id % 7}_*`],
          queue: id % 2 === 0 ? 'volunteering' : 'catalog',
        },
        { events: ['campaign.*'], queue: 'catalog' },
      ],
    ];
  });

  return { ...SAMPLE_ROUTING, organizations: Object.fromEntries(entries) };
}
