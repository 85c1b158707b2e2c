#!/usr/bin/env node
// The platform's GTFS-Realtime simulator (simulated vehicles from a static GTFS feed, or replayed .pb snapshots).
await import('../dist/runtime/gtfs-rt-simulator/main.js');
