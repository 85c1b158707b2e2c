#!/usr/bin/env node
import module from 'node:module';

// Reuse V8's compiled code across runs (a cache in the OS temp folder): most of a run is module loading.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
