// JSON Schema export of the manifest schema, for editors (yaml-language-server) and other tools.
import { z } from 'zod';
import { manifestSchemaV1 } from './schema.ts';

export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(manifestSchemaV1, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://create-iot-platform.dev/schemas/iot-platform.v1.schema.json',
    title: 'iot-platform.yaml (apiVersion iot-platform/v1)',
  };
}
