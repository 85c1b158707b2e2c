#!/usr/bin/env node
// The platform's MQTT device provisioning (`npm run devices -- add <tenant>/<deviceId>`), pinned with the platform version.
await import('../dist/runtime/mqtt-access/main.js');
