#!/usr/bin/env node
// The platform's redis-sink service, pinned with the platform version in a generated repository.
await import('../dist/runtime/redis-sink/main.js');
