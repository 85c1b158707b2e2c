// What readers of the Redis sink's keys share with it: `import { compileKeyTemplate } from 'create-iot-platform/redis-sink'`.
export { compileKeyTemplate, escapeGlob, toHashFields, type KeyTemplate } from './key-template.ts';
