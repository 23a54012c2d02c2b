import { createRelayApp } from './relay-app.js';

createRelayApp();
