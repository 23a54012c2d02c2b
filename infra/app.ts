import { RelayConfigError } from './config.js';
import { createRelayApp } from './relay-app.js';

try {
  createRelayApp();
} catch (error) {
  // A config mistake is the user's to fix: the message names the key, and a
  // stack trace would only bury it.
  if (!(error instanceof RelayConfigError)) {
    throw error;
  }
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
