/**
 * `npm run send -- <event type | file.json> [--url U] [--org N] [--key K]`:
 * signs a VOMO event the way VOMO does and posts it, by default to local mode.
 */
import {
  buildEventBody,
  parseSendArguments,
  SEND_USAGE,
  SendUsageError,
  sendSignedEvent,
} from './sender.js';

try {
  const request = parseSendArguments(process.argv.slice(2), process.env);
  const body = buildEventBody(request.event, request.organizationId);

  console.log(`POST ${request.url} (${request.event}, ${body.length} bytes)`);
  const answer = await sendSignedEvent(request.url, body, request.key);
  console.log(`${answer.status} ${answer.body}`);

  process.exitCode = answer.status >= 200 && answer.status < 300 ? 0 : 1;
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(message);
  if (error instanceof SendUsageError) {
    console.error(SEND_USAGE);
  }
  process.exitCode = 1;
}
