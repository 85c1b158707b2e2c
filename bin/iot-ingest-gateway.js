#!/usr/bin/env node
// The platform's ingest-gateway service, pinned with the platform version in a generated repository.
await import('../dist/runtime/ingest-gateway/main.js');
