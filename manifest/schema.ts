// The project manifest `iot-platform.yaml`: one file that describes a generated repository and is the
// answers file that upgrades re-render from. Version 1 of its schema.
import { z } from 'zod';
import { checkLayout, WIDTH, type ColumnType } from './fixed-width-layout.ts';

export const API_VERSION = 'iot-platform/v1';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and underscores, starting with a letter');

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'use letters, digits, ".", "_" or "-" (at most 249 characters)');

export const projectName = z
  .string()
  .min(1, 'must not be empty')
  .max(53, 'use at most 53 characters (a Helm release name limit)')
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, 'use lower-case letters, digits and "-", starting with a letter and not ending with "-"');

export const COMPONENTS = ['redis', 'api', 'dbt', 'history', 'observability'] as const;
export const componentName = z.enum(COMPONENTS);
export type ComponentName = z.infer<typeof componentName>;

export const DEPLOY_TARGETS = ['compose', 'native', 'kubernetes'] as const;
export const deployTarget = z.enum(DEPLOY_TARGETS);

const fieldType = z.enum(['string', 'int', 'long', 'double', 'boolean', 'timestamp']);

const eventField = z.strictObject({
  name: identifier.or(z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'use camelCase or snake_case')),
  type: fieldType,
  description: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  optional: z.boolean().optional().describe('a record may lack it (left out of the Kafka value); a present value is still checked'),
});

const mqttSource = z.strictObject({
  mqtt: z
    .string()
    .regex(/^[^#+]+$/, 'write the topic with {placeholders}, not MQTT wildcards')
    .describe('MQTT topic pattern; {name} segments are captured into the event as context fields'),
});

const httpSource = z.strictObject({
  http: z
    .string()
    .regex(/^\/[a-z0-9/_{}-]*$/, 'use an absolute path such as /events/{deviceId}')
    .describe('HTTP push: devices POST to this path of the gateway; {name} segments are captured as context fields'),
});

const pollSource = z.strictObject({
  poll: z
    .strictObject({
      url: z
        .string()
        .regex(/^(https?:\/\/\S+|\$\{[A-Z_][A-Z0-9_]*\}\S*)$/, 'use an http:// or https:// URL, or ${VAR} (expanded from the environment)')
        .describe('Polled with conditional GET (ETag / Last-Modified) and gzip; ${VAR} expands from the environment'),
      intervalSeconds: z.number().positive().max(86_400).default(10),
      headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers; ${VAR} expands from the environment'),
      timeoutSeconds: z.number().positive().max(300).default(20),
    })
    .describe('HTTP polling of a feed URL (e.g. GTFS-Realtime)'),
});

export const SOURCE_KINDS = ['mqtt', 'http', 'poll'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const FORMATS = ['csv', 'json', 'gtfs-rt', 'gtfs-rt-trip-updates', 'fixed-width'] as const;


const fixedWidthLayout = z
  .strictObject({
    recordBytes: z.number().int().min(1).max(65_536),
    byteOrder: z.enum(['big', 'little']).default('big'),
    columns: z
      .array(z.strictObject({ field: z.string(), offset: z.number().int().min(0), type: z.enum(Object.keys(WIDTH) as [ColumnType, ...ColumnType[]]) }))
      .min(1, 'map at least one field to its bytes'),
  })
  .describe('fixed-width binary records: a payload is N records of recordBytes bytes each');

export const eventSchema = z.strictObject({
  description: z.string().optional(),
  source: z.union([mqttSource, httpSource, pollSource]),
  format: z
    .enum(FORMATS)
    .describe(
      'csv, json, gtfs-rt (GTFS-Realtime protobuf vehicle positions), gtfs-rt-trip-updates (GTFS-Realtime trip updates, one record per stop time update) or fixed-width (binary, needs layout)',
    ),
  layout: fixedWidthLayout.optional(),
  fields: z.array(eventField).min(1, 'declare at least one field'),
  key: z.array(z.string()).min(1, 'name the fields that make up the Kafka record key'),
  topic: topicName,
  lateness: z
    .strictObject({
      seconds: z.string().describe('the integer field with the record time in whole seconds'),
      nanoseconds: z.string().optional().describe('the integer field with the nanoseconds within that second'),
      allowedMs: z.number().int().min(0).describe('how far a record may fall behind the newest of its key'),
    })
    .optional()
    .describe('records whose time falls more than allowedMs behind the newest record of the same key go to the dead-letter topic (reason late)'),
});
export type EventSchema = z.infer<typeof eventSchema>;

/** Which kind of source an event declares. */
export function sourceKind(event: Pick<EventSchema, 'source'>): SourceKind {
  return SOURCE_KINDS.find((kind) => kind in event.source)!;
}

const topicSpec = z.strictObject({
  name: topicName,
  partitions: z.number().int().min(1).max(1024).default(1),
  retentionHours: z.number().int().min(1).optional(),
  compacted: z.boolean().default(false),
  description: z.string().optional(),
});

const redisSink = z.strictObject({
  topic: topicName,
  key: z
    .string()
    .regex(/\{[a-z_][a-z0-9_]*\}/i, 'use {field} placeholders to build the Redis key from record fields'),
  ttlSeconds: z.number().int().positive().optional(),
  description: z.string().optional(),
});

const postgresSink = z.strictObject({
  table: identifier,
  primaryKey: z.array(identifier).min(1, 'a JDBC upsert sink needs a primary key'),
  description: z.string().optional(),
});

const historySink = z.strictObject({
  topic: topicName,
  path: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, 'use a relative object-store prefix such as raw/humidity'),
});

/** Who an MQTT user is: one device, or one tenant (all its devices). */
export const MQTT_CREDENTIALS = ['device', 'tenant'] as const;

export const manifestSchemaV1 = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    platform: z.strictObject({
      version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'use a semantic version such as 0.1.0'),
    }),
    blueprint: z.string().min(1),
    project: z.strictObject({
      name: projectName,
      description: z.string().default(''),
      owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use a team or user name').default('platform-team'),
      timeZone: z
        .string()
        .refine(isTimeZone, 'use an IANA time zone such as UTC or Europe/Stockholm')
        .default('UTC'),
      github: z
        .string()
        .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'use owner/name')
        .optional(),
    }),
    components: z.array(componentName).default([]),
    mqtt: z
      .strictObject({
        credentials: z
          .enum(MQTT_CREDENTIALS)
          .default('device')
          .describe(
            'device: one MQTT user per device, publishing only under topics with its {tenant} and {deviceId}; tenant: one user per tenant, publishing only under its {tenant}',
          ),
      })
      .default({ credentials: 'device' }),
    parameters: z
      .record(z.string(), z.number())
      .default({})
      .describe(
        "The blueprint's tunable values (thresholds, window sizes), camelCase names; Flink and dbt get each as an environment variable in UPPER_SNAKE case (dryThreshold → DRY_THRESHOLD)",
      ),
    events: z.record(identifier, eventSchema),
    topics: z.array(topicSpec).default([]),
    sinks: z
      .strictObject({
        redis: z.array(redisSink).default([]),
        postgres: z.array(postgresSink).default([]),
        history: z.array(historySink).default([]),
      })
      .default({ redis: [], postgres: [], history: [] }),
    deploy: z.strictObject({
      targets: z.array(deployTarget).min(1, 'choose at least one of compose, native, kubernetes'),
      kubernetes: z
        .strictObject({ namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/) })
        .optional(),
    }),
  })
  .superRefine((manifest, ctx) => {
    const declared = new Set(manifest.topics.map((t) => t.name));
    for (const [name, event] of Object.entries(manifest.events)) {
      const fieldNames = new Set(event.fields.map((f) => f.name));
      const context = [...contextFields(event)];
      for (const key of event.key) {
        if (!fieldNames.has(key) && !context.includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['events', name, 'key'],
            message: `key field "${key}" is neither a field nor a {placeholder} of the source; add it to fields`,
          });
        }
      }
      if (event.format === 'fixed-width' && !event.layout) {
        ctx.addIssue({ code: 'custom', path: ['events', name, 'layout'], message: 'format fixed-width needs a layout (recordBytes, byteOrder, columns); add one' });
      }
      if (event.layout && event.format !== 'fixed-width') {
        ctx.addIssue({ code: 'custom', path: ['events', name, 'layout'], message: `a layout only applies to format fixed-width, not ${event.format}; remove it or change the format` });
      }
      const layoutProblem = event.layout && checkLayout(event.layout);
      if (layoutProblem) ctx.addIssue({ code: 'custom', path: ['events', name, 'layout'], message: `${layoutProblem}; fix the layout` });
      event.layout?.columns.forEach((column, i) => {
        if (!fieldNames.has(column.field)) {
          ctx.addIssue({ code: 'custom', path: ['events', name, 'layout', 'columns', i, 'field'], message: `"${column.field}" is not a field of the event; add it to fields` });
        }
      });
      for (const part of ['seconds', 'nanoseconds'] as const) {
        const field = event.lateness?.[part];
        if (field === undefined) continue;
        const type = event.fields.find((f) => f.name === field)?.type;
        if (type !== 'int' && type !== 'long') {
          ctx.addIssue({ code: 'custom', path: ['events', name, 'lateness', part], message: `"${field}" is not an int or long field of the event; name one` });
        }
      }
      if (declared.size > 0 && !declared.has(event.topic)) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', name, 'topic'],
          message: `topic "${event.topic}" is not declared under topics; add it there`,
        });
      }
    }
    for (const [name, event] of Object.entries(manifest.events)) {
      if (!('mqtt' in event.source)) continue;
      const placeholders = contextFields(event);
      const needed = manifest.mqtt.credentials === 'device' ? ['tenant', 'deviceId'] : ['tenant'];
      for (const placeholder of needed.filter((p) => !placeholders.includes(p))) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', name, 'source', 'mqtt'],
          message: `mqtt.credentials ${manifest.mqtt.credentials} confines each client to the topics of its {${placeholder}}; put {${placeholder}} into the topic${placeholder === 'deviceId' ? ' or set mqtt.credentials to tenant' : ''}`,
        });
      }
    }
    const seen = new Set<string>();
    manifest.components.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['components', i], message: `"${c}" is listed twice; list it once` });
      seen.add(c);
    });
  });

export type Manifest = z.infer<typeof manifestSchemaV1>;
export type ManifestInput = z.input<typeof manifestSchemaV1>;

/** The {placeholders} of an event's source pattern, captured into the event as context fields. */
export function contextFields(event: Pick<EventSchema, 'source'>): string[] {
  const source = event.source;
  const pattern = 'mqtt' in source ? source.mqtt : 'http' in source ? source.http : '';
  return [...pattern.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
