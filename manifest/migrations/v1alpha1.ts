// iot-platform/v1alpha1 → iot-platform/v1. In v1alpha1 `components` was a map of switches
// (`components: {redis: true, api: false}`); v1 lists the chosen ones (`components: [redis]`), in the
// canonical order of COMPONENTS. Everything else carried over unchanged.
import { z } from 'zod';
import { COMPONENTS, componentName } from '../schema.ts';
import type { Migration } from './index.ts';

export const V1ALPHA1 = 'iot-platform/v1alpha1';

/** Only what v1alpha1 did differently is typed here; the v1 schema validates the rest after `up()`. */
export const manifestSchemaV1alpha1 = z.looseObject({
  apiVersion: z.literal(V1ALPHA1),
  components: z.partialRecord(componentName, z.boolean()).default({}),
});

export const v1alpha1ToV1: Migration<z.infer<typeof manifestSchemaV1alpha1>> = {
  from: V1ALPHA1,
  to: 'iot-platform/v1',
  summary: 'components: a map of switches became the list of enabled components',
  schema: manifestSchemaV1alpha1,
  up: ({ components, ...rest }) => ({
    ...rest,
    apiVersion: 'iot-platform/v1',
    components: COMPONENTS.filter((c) => components[c] === true),
  }),
};
