#!/usr/bin/env node
// The platform's RICH detector simulator (tracks and pixel hits as wire records, to files or live over MQTT).
await import('../dist/runtime/rich-simulator/main.js');
