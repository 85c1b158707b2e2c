// CustomResourceDefinition → JSON Schema, one schema per served version, in the file layout that kubeconform's
// `-schema-location '<dir>/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'` reads. Tests use it
// to validate the custom resources the Helm charts render (Strimzi, Flink operator, CloudNativePG, ECK) offline.
//
//   node scripts/crd-schemas.ts <out-dir> <crd.yaml | dir>...
//
// The conversion of a structural schema (OpenAPI v3 subset of apiextensions.k8s.io/v1):
// - `nullable: true` adds "null" to the type; `x-kubernetes-int-or-string` becomes integer | string;
// - strict: an object with `properties` and neither `additionalProperties` nor
//   `x-kubernetes-preserve-unknown-fields` rejects unknown fields, as the API server prunes/rejects them;
// - `apiVersion` and `kind` are pinned to the version's group/version and kind;
// - descriptions, defaults, formats and CEL rules (`x-kubernetes-validations`) are dropped: formats are
//   annotations the API server checks loosely, and CEL cannot be evaluated here (a cluster run does that).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type JsonSchema = { [key: string]: unknown };

export interface CrdSchemaFile {
  /** Path under the output folder: `<group>/<kind lowercased>_<version>.json`. */
  path: string;
  apiVersion: string;
  kind: string;
  schema: JsonSchema;
}

const KEEP = [
  'type', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'pattern', 'minLength',
  'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required',
] as const;

/** One OpenAPI v3 (structural) schema node to JSON Schema. */
export function convertOpenApiV3(node: JsonSchema, strict = true): JsonSchema {
  const out: JsonSchema = {};
  for (const key of KEEP) if (node[key] !== undefined) out[key] = node[key];
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convertOpenApiV3(v, strict)]));
  }
  if (node.items && typeof node.items === 'object') out.items = convertOpenApiV3(node.items as JsonSchema, strict);
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof node.additionalProperties === 'object' && node.additionalProperties) {
    out.additionalProperties = convertOpenApiV3(node.additionalProperties as JsonSchema, strict);
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (strict && properties && !preserve) {
    out.additionalProperties = false;
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    // Value validations only (structural schemas forbid types/properties here); convert non-strictly so an
    // `anyOf: [{required: [a]}, {required: [b]}]` does not forbid the other fields.
    const list = node[key] as JsonSchema[] | undefined;
    if (list) {
      const converted = list.map((s) => convertOpenApiV3(s, false));
      out[key] = out[key] ? [...(out[key] as JsonSchema[]), ...converted] : converted;
    }
  }
  if (node.not) out.not = convertOpenApiV3(node.not as JsonSchema, false);
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/** The JSON Schemas of every served version of one CRD document. */
export function crdToJsonSchemas(crd: JsonSchema, strict = true): CrdSchemaFile[] {
  if (crd.kind !== 'CustomResourceDefinition' || crd.apiVersion !== 'apiextensions.k8s.io/v1') {
    throw new Error(`not an apiextensions.k8s.io/v1 CustomResourceDefinition (kind ${String(crd.kind)})`);
  }
  const spec = crd.spec as { group: string; names: { kind: string }; versions: JsonSchema[] };
  const files: CrdSchemaFile[] = [];
  for (const version of spec.versions) {
    const openApi = (version.schema as { openAPIV3Schema?: JsonSchema } | undefined)?.openAPIV3Schema;
    if (version.served !== true || !openApi) continue;
    const apiVersion = `${spec.group}/${String(version.name)}`;
    const schema = convertOpenApiV3(openApi, strict);
    const properties = { ...(schema.properties as Record<string, JsonSchema> | undefined) };
    properties.apiVersion = { type: 'string', enum: [apiVersion] };
    properties.kind = { type: 'string', enum: [spec.names.kind] };
    properties.metadata ??= { type: 'object' };
    schema.properties = properties;
    schema.required = [...new Set([...((schema.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
    files.push({
      path: `${spec.group}/${spec.names.kind.toLowerCase()}_${String(version.name)}.json`,
      apiVersion,
      kind: spec.names.kind,
      schema: { $schema: 'http://json-schema.org/draft-07/schema#', title: `${spec.names.kind} ${apiVersion}`, ...schema },
    });
  }
  return files;
}

function yamlFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f))
      : [p],
  );
}

/** Converts every CRD found in `inputs` (files or folders, recursively) into `outDir`; returns the files written. */
export function writeCrdSchemas(outDir: string, inputs: string[], strict = true): CrdSchemaFile[] {
  const written: CrdSchemaFile[] = [];
  for (const file of yamlFiles(inputs)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as JsonSchema | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      let schemas: CrdSchemaFile[];
      try {
        schemas = crdToJsonSchemas(crd, strict);
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
      for (const schema of schemas) {
        const target = join(outDir, schema.path);
        mkdirSync(join(target, '..'), { recursive: true });
        writeFileSync(target, `${JSON.stringify(schema.schema)}\n`);
        written.push(schema);
      }
    }
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outDir, ...inputs] = process.argv.slice(2);
  if (!outDir || inputs.length === 0) {
    console.error('usage: node scripts/crd-schemas.ts <out-dir> <crd.yaml | dir>...');
    process.exit(2);
  }
  for (const file of writeCrdSchemas(outDir, inputs)) console.log(`${file.apiVersion} ${file.kind} → ${join(outDir, file.path)}`);
}
