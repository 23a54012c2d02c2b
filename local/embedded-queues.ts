import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

/** A running in-process SQS-compatible server. */
export interface EmbeddedQueues {
  /** The endpoint any SQS client is pointed at. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Where the embedded server listens; port 0 picks a free one. */
export interface EmbeddedQueuesOptions {
  readonly port: number;
  readonly host: string;
  readonly region: string;
}

/**
 * Starts fauxqs in this process, on the given interface only: the queues
 * hold webhook bodies and have no authentication, so by default nothing
 * beyond this machine can reach them. All state lives in memory.
 */
export async function startEmbeddedQueues(
  options: EmbeddedQueuesOptions,
): Promise<EmbeddedQueues> {
  const app = buildApp({ logger: false, defaultRegion: options.region });

  await app.listen({ port: options.port, host: options.host });

  const { port } = app.server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host}:${port}`,
    stop: () => app.close(),
  };
}
