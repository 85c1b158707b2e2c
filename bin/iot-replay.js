#!/usr/bin/env node
// The platform's message-log replay (`npm run replay -- <file.jsonl>`), pinned with the platform version in a generated repository.
await import('../dist/runtime/replay/main.js');
