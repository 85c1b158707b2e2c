// Writes the committed JSON Schema of the manifest (schemas/iot-platform.v1.schema.json).
// A test fails when the committed file is out of date; run `npm run schema:export` to refresh it.
import { writeFileSync } from 'node:fs';
import { manifestJsonSchema } from '../manifest/json-schema.ts';

const target = new URL('../schemas/iot-platform.v1.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
