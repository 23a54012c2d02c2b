/**
 * Names of the stack outputs that tools read back after a deploy. Kept apart
 * from the stack so a command-line tool can use them without loading CDK.
 */
export const STACK_OUTPUT = {
  webhookUrl: 'WebhookUrl',
  signingKeysSecretArn: 'SigningKeysSecretArn',
} as const;
