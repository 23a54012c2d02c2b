import type { SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { MESSAGE_ATTRIBUTE } from '../events/index.js';

/** One message a queue accepted, as local mode reports it. */
export interface SentMessage {
  readonly queue: string;
  readonly type: string;
  readonly organizationId: string;
  readonly bytes: number;
}

const SEND_MESSAGE_COMMAND = 'SendMessageCommand';

/**
 * Calls `onSent` after each SendMessage the client completes. It watches the
 * client from outside, so the handler runs exactly as it does in Lambda.
 */
export function watchSentMessages(
  sqs: SQSClient,
  onSent: (message: SentMessage) => void,
): void {
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);

      if (context.commandName === SEND_MESSAGE_COMMAND) {
        onSent(describeSentMessage(args.input as SendMessageCommandInput));
      }

      return result;
    },
    { step: 'initialize', name: 'watchSentMessages' },
  );
}

/** Reads what a report needs from a SendMessage input; never the body. */
export function describeSentMessage(
  input: SendMessageCommandInput,
): SentMessage {
  const attributes = input.MessageAttributes ?? {};
  const queueUrl = input.QueueUrl ?? '';

  return {
    queue: queueUrl.slice(queueUrl.lastIndexOf('/') + 1),
    type: attributes[MESSAGE_ATTRIBUTE.type]?.StringValue ?? '?',
    organizationId:
      attributes[MESSAGE_ATTRIBUTE.organizationId]?.StringValue ?? '?',
    bytes: Buffer.byteLength(input.MessageBody ?? ''),
  };
}

/** One terminal line per forwarded message. */
export function formatSentMessage(message: SentMessage): string {
  return [
    'forwarded',
    message.type,
    `organization ${message.organizationId}`,
    `${message.bytes} bytes`,
    `-> ${message.queue}`,
  ].join('  ');
}
