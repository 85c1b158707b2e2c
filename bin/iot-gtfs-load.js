#!/usr/bin/env node
// The platform's static GTFS loader (`npm run gtfs:load -- <feed.zip|folder>`), pinned with the platform version in a generated repository.
await import('../dist/runtime/gtfs-static/main.js');
