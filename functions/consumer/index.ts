import { createConsumer } from './consumer.js';
import { HANDLERS } from './handlers.js';

/**
 * The Lambda entry point for an SQS trigger with `ReportBatchItemFailures`.
 * The duplicate filter lives as long as the sandbox does.
 */
export const handler = createConsumer(HANDLERS);
