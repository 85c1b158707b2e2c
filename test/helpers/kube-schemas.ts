// Offline JSON Schemas for kubeconform.
// - Kubernetes kinds: the OpenAPI v2 spec that Kubernetes publishes in its source tree
//   (`api/openapi-spec/swagger.json` of the Go module k8s.io/kubernetes, fetched with `go mod download` from
//   the Go module proxy, checksummed by sum.golang.org), converted here into one standalone schema per
//   group/version/kind, named the way kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` expects.
// - Custom resources: the operators' CRDs (reference data, see CRDS_DIR) through scripts/crd-schemas.ts.
// Both are strict (unknown fields rejected) and cached under ~/.cache/iot-platform/kube-schemas.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCrdSchemas, type JsonSchema } from '../../scripts/crd-schemas.ts';
import { TOOLS } from '../../renderer/versions.ts';

/**
 * Kubernetes version whose API the charts are validated against (the charts' kubeVersion floor is lower): the
 * one the reusable workflows validate against and run e2e on (TOOLS.kubernetes).
 */
export const KUBERNETES_VERSION = process.env.KUBERNETES_SCHEMA_VERSION ?? TOOLS.kubernetes;

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheRoot = join(process.env.IOT_PLATFORM_CACHE ?? join(homedir(), '.cache', 'iot-platform'), 'kube-schemas');
/** Bump when the conversion changes, so cached schemas are rebuilt. */
const CONVERTER_VERSION = '1';

/**
 * The operators' CustomResourceDefinitions: `IOT_PLATFORM_CRDS_DIR`, else the reference copy next to the
 * checkout (`../shared/reference/crds`, as laid out for development and CI).
 */
export function crdsDir(): string {
  const candidates = [process.env.IOT_PLATFORM_CRDS_DIR, resolve(root, '../shared/reference/crds'), '/work/shared/reference/crds'];
  const found = candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'strimzi')));
  if (!found) {
    throw new Error(`operator CRDs not found (looked in ${candidates.filter(Boolean).join(', ')}): set IOT_PLATFORM_CRDS_DIR`);
  }
  return found;
}

/** Which CRD files are validated against, per operator (Strimzi 1.x only: the 0.51.0 folder serves v1beta2). */
function crdInputs(dir: string): string[] {
  return [
    ...['040-Crd-kafka.yaml', '043-Crd-kafkatopic.yaml', '044-Crd-kafkauser.yaml', '045-Crd-kafkanodepool.yaml'].map((f) => join(dir, 'strimzi', f)),
    join(dir, 'flink-kubernetes-operator'),
    join(dir, 'cloudnative-pg'),
    join(dir, 'eck'),
  ];
}

/** Downloads (once) the k8s.io/kubernetes module and returns its swagger.json path. */
function swaggerJson(version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], {
    encoding: 'utf8',
    cwd: cacheRoot, // no go.mod here: module mode off for the download
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10 * 60_000,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download k8s.io/kubernetes@v${version}: ${info.Error ?? out}`);
  const file = join(info.Dir, 'api', 'openapi-spec', 'swagger.json');
  if (!existsSync(file)) throw new Error(`${file} missing from the k8s.io/kubernetes module`);
  return file;
}

type Gvk = { group: string; version: string; kind: string };

/** kubeconform's file name for a kind: `<kind>-<first label of group>-<version>` (core group: `<kind>-<version>`). */
export function kindFileName({ group, version, kind }: Gvk): string {
  const suffix = group ? `-${group.split('.')[0]!.toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** One OpenAPI v2 node to JSON Schema; `#/definitions/X` references are kept (each file embeds what it needs). */
function convertSwagger(node: JsonSchema, strict: boolean, refs: Set<string>): JsonSchema {
  if (typeof node.$ref === 'string') {
    refs.add(node.$ref.replace('#/definitions/', ''));
    return { $ref: node.$ref };
  }
  const out: JsonSchema = {};
  for (const key of ['type', 'enum', 'minimum', 'maximum', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'required']) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convertSwagger(v, strict, refs)]));
  if (node.items) out.items = convertSwagger(node.items as JsonSchema, strict, refs);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.additionalProperties = convertSwagger(node.additionalProperties as JsonSchema, strict, refs);
  } else if (strict && properties) {
    out.additionalProperties = false;
  }
  if (node.allOf) out.allOf = (node.allOf as JsonSchema[]).map((s) => convertSwagger(s, strict, refs));
  return out;
}

/** Converts swagger.json into `<kind>-<group>-<version>.json` files in `outDir`; returns how many. */
export function writeKubernetesSchemas(swagger: { definitions: Record<string, JsonSchema> }, outDir: string, strict = true): number {
  const definitions = swagger.definitions;
  const converted = new Map<string, { schema: JsonSchema; refs: Set<string> }>();
  const convert = (name: string) => {
    let entry = converted.get(name);
    if (!entry) {
      const refs = new Set<string>();
      const def = definitions[name];
      if (!def) throw new Error(`swagger.json: definition ${name} missing`);
      let schema: JsonSchema;
      if (name === INT_OR_STRING) schema = { anyOf: [{ type: 'integer' }, { type: 'string' }] };
      else if (name === QUANTITY) schema = { anyOf: [{ type: 'string' }, { type: 'number' }] };
      else schema = convertSwagger(def, strict, refs);
      entry = { schema, refs };
      converted.set(name, entry);
    }
    return entry;
  };
  mkdirSync(outDir, { recursive: true });
  const written = new Set<string>();
  let count = 0;
  // io.k8s.api.* first: meta types (DeleteOptions, WatchEvent …) list many GVKs and must not shadow real kinds.
  const names = Object.keys(definitions).sort((a, b) => Number(!a.startsWith('io.k8s.api.')) - Number(!b.startsWith('io.k8s.api.')));
  for (const name of names) {
    const gvks = definitions[name]!['x-kubernetes-group-version-kind'] as Gvk[] | undefined;
    if (!gvks || gvks.length !== 1) continue;
    const gvk = gvks[0]!;
    const file = kindFileName(gvk);
    if (written.has(file)) continue;
    written.add(file);
    // The closure of referenced definitions, embedded so that each file stands alone.
    const closure = new Set<string>();
    const queue = [...convert(name).refs];
    while (queue.length) {
      const ref = queue.pop()!;
      if (closure.has(ref)) continue;
      closure.add(ref);
      queue.push(...convert(ref).refs);
    }
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const top = structuredClone(convert(name).schema);
    const properties = (top.properties ??= {}) as Record<string, JsonSchema>;
    properties.apiVersion = { type: 'string', enum: [apiVersion] };
    properties.kind = { type: 'string', enum: [gvk.kind] };
    top.required = [...new Set([...((top.required as string[] | undefined) ?? []), 'apiVersion', 'kind'])];
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `${gvk.kind} ${apiVersion}`,
      ...top,
      definitions: Object.fromEntries([...closure].sort().map((ref) => [ref, convert(ref).schema])),
    };
    writeFileSync(join(outDir, file), `${JSON.stringify(schema)}\n`);
    count++;
  }
  return count;
}

export interface SchemaLocations {
  /** kubeconform `-schema-location` arguments, Kubernetes kinds first. */
  locations: string[];
  kubernetesVersion: string;
  coreCount: number;
  crdCount: number;
}

/** Builds (once per Kubernetes version and converter version) the core and CRD schema folders. */
export function ensureKubeSchemas(version = KUBERNETES_VERSION): SchemaLocations {
  mkdirSync(cacheRoot, { recursive: true });
  const coreDir = join(cacheRoot, `v${version}-standalone-strict-c${CONVERTER_VERSION}`);
  const stamp = join(coreDir, '.complete');
  if (!existsSync(stamp)) {
    const tmp = `${coreDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const swagger = JSON.parse(readFileSync(swaggerJson(version), 'utf8'));
    const count = writeKubernetesSchemas(swagger, tmp);
    if (count < 50) throw new Error(`only ${count} Kubernetes kinds converted from swagger.json v${version}`);
    writeFileSync(join(tmp, '.complete'), `${count}\n`);
    rmSync(coreDir, { recursive: true, force: true });
    renameSync(tmp, coreDir);
  }
  // CRD schemas are cheap (about a second): rebuilt on every run so that they follow the reference files.
  const crdDir = join(cacheRoot, `crds-c${CONVERTER_VERSION}-${process.pid}`);
  rmSync(crdDir, { recursive: true, force: true });
  const crds = writeCrdSchemas(crdDir, crdInputs(crdsDir()));
  return {
    locations: [
      join(coreDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      join(crdDir, '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
    ],
    kubernetesVersion: version,
    coreCount: Number(readFileSync(stamp, 'utf8').trim()),
    crdCount: crds.length,
  };
}

/** Removes this process's CRD schema folder. */
export function cleanKubeSchemas(locations: SchemaLocations): void {
  const crdDir = locations.locations[1]!.split('/{{')[0]!;
  rmSync(crdDir, { recursive: true, force: true });
}
