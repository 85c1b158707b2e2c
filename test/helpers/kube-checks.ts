// Security rules for rendered Kubernetes manifests (helm template output), each returning problems as
// `<Kind>/<name>: <what is wrong>` lines (empty = fine). test/helm.test.ts runs them on every rendering and on
// deliberately broken fixtures.
import { parseAllDocuments } from 'yaml';

export type KubeDoc = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown }; [k: string]: any };

export function parseManifests(text: string): KubeDoc[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeDoc | null)
    .filter((d): d is KubeDoc => !!d && typeof d === 'object' && !!d.kind);
}

const id = (doc: KubeDoc) => `${doc.kind}/${doc.metadata?.name}`;

interface PodSpecAt {
  where: string;
  spec: any;
  /** Pods an operator completes (ECK, Flink): container images/resources may come from the custom resource. */
  partial?: boolean;
}

/** Every pod spec a manifest defines, including the pod templates inside operator custom resources. */
export function podSpecs(doc: KubeDoc): PodSpecAt[] {
  const s = doc.spec ?? {};
  switch (doc.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return [{ where: id(doc), spec: s.template?.spec }];
    case 'CronJob':
      return [{ where: id(doc), spec: s.jobTemplate?.spec?.template?.spec }];
    case 'Pod':
      return [{ where: id(doc), spec: s }];
    case 'FlinkDeployment':
      return [{ where: `${id(doc)} podTemplate`, spec: s.podTemplate?.spec, partial: true }];
    case 'Elasticsearch':
      return (s.nodeSets ?? []).map((n: any) => ({ where: `${id(doc)} nodeSet ${n.name}`, spec: n.podTemplate?.spec, partial: true }));
    case 'Kibana':
    case 'Logstash':
      return [{ where: id(doc), spec: s.podTemplate?.spec, partial: true }];
    default:
      return [];
  }
}

const containersOf = (spec: any): any[] => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

/** Images with a version: `repo:tag` (never latest) or a digest. */
export function checkImagesPinned(docs: KubeDoc[]): string[] {
  const problems: string[] = [];
  const check = (where: string, image: unknown) => {
    if (typeof image !== 'string' || !image) return problems.push(`${where}: image missing`);
    if (/@sha256:[a-f0-9]{64}$/.test(image)) return;
    const tag = /:([^:/]+)$/.exec(image)?.[1];
    if (!tag) problems.push(`${where}: image ${image} has no version tag (pin it)`);
    else if (tag === 'latest') problems.push(`${where}: image ${image} uses "latest" (pin a version)`);
  };
  for (const doc of docs) {
    for (const pod of podSpecs(doc)) {
      for (const c of containersOf(pod.spec)) {
        if (c.image !== undefined || !pod.partial) check(`${pod.where} container ${c.name}`, c.image);
      }
    }
    if (['FlinkDeployment', 'Elasticsearch', 'Kibana', 'Logstash'].includes(doc.kind)) check(id(doc), doc.spec?.image);
  }
  return problems;
}

/** Containers cannot run as root or escalate: runAsNonRoot, uid ≠ 0, no privilege escalation, ALL caps dropped, seccomp. */
export function checkNonRoot(docs: KubeDoc[]): string[] {
  const problems: string[] = [];
  for (const doc of docs) {
    for (const pod of podSpecs(doc)) {
      const podSc = pod.spec?.securityContext ?? {};
      const containers = containersOf(pod.spec);
      if (!pod.spec) problems.push(`${pod.where}: no pod spec (cannot prove non-root)`);
      for (const c of containers) {
        const sc = c.securityContext ?? {};
        const where = `${pod.where} container ${c.name}`;
        const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
        const uid = sc.runAsUser ?? podSc.runAsUser;
        if (nonRoot !== true) problems.push(`${where}: runAsNonRoot is not true (it may run as root)`);
        if (uid === 0) problems.push(`${where}: runAsUser is 0 (root)`);
        if (sc.privileged === true) problems.push(`${where}: privileged`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities.drop lacks ALL`);
        if (sc.capabilities?.add?.length) problems.push(`${where}: adds capabilities ${sc.capabilities.add.join(',')}`);
        const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      }
      if (pod.spec && !pod.partial && containers.length === 0) problems.push(`${pod.where}: no containers`);
      if (pod.spec?.hostNetwork || pod.spec?.hostPID || pod.spec?.hostIPC) problems.push(`${pod.where}: uses host namespaces`);
    }
  }
  return problems;
}

/** Requests and limits (cpu and memory) on every container, and on the operator resources that size pods. */
export function checkResources(docs: KubeDoc[]): string[] {
  const problems: string[] = [];
  const need = (where: string, r: any) => {
    for (const kind of ['requests', 'limits'] as const) {
      for (const res of ['cpu', 'memory']) if (r?.[kind]?.[res] === undefined) problems.push(`${where}: resources.${kind}.${res} missing`);
    }
  };
  for (const doc of docs) {
    // FlinkDeployment pods are sized by jobManager/taskManager.resource (checked below), not per container.
    for (const pod of doc.kind === 'FlinkDeployment' ? [] : podSpecs(doc)) {
      for (const c of containersOf(pod.spec)) need(`${pod.where} container ${c.name}`, c.resources);
    }
    const s = doc.spec ?? {};
    if (doc.kind === 'KafkaNodePool') need(id(doc), s.resources);
    if (doc.kind === 'Kafka' && s.entityOperator?.topicOperator) need(`${id(doc)} topicOperator`, s.entityOperator.topicOperator.resources);
    if (doc.kind === 'Cluster' && doc.apiVersion.startsWith('postgresql.cnpg.io/')) need(id(doc), s.resources);
    if (doc.kind === 'FlinkDeployment') {
      for (const part of ['jobManager', 'taskManager']) {
        const r = s[part]?.resource;
        if (!r?.cpu || !r?.memory) problems.push(`${id(doc)}: ${part}.resource needs cpu and memory`);
      }
    }
  }
  return problems;
}

const SECRET_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY)$/i;
const WEAK = new Set(['password', 'changeme', 'change-me', 'admin', 'secret', 'postgres', 'redis', 'root', 'test', 'default', '123456', 'guest']);

/**
 * No default or weak password: secret-like env vars come from Secrets, never literals; Secret values are long
 * random strings (not a known weak value); no Secret value appears anywhere else in the manifests.
 */
export function checkSecrets(docs: KubeDoc[]): string[] {
  const problems: string[] = [];
  const values: Array<{ where: string; value: string }> = [];
  for (const doc of docs) {
    if (doc.kind === 'Secret') {
      const entries = [
        ...Object.entries(doc.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')] as const),
        ...Object.entries(doc.stringData ?? {}).map(([k, v]) => [k, String(v)] as const),
      ];
      for (const [key, value] of entries) {
        if (key === 'username') continue;
        const where = `${id(doc)} key ${key}`;
        if (WEAK.has(value.toLowerCase()) || value.length < 16) problems.push(`${where}: weak or default value (${value.length} characters)`);
        else if (new Set(value).size < 8) problems.push(`${where}: value is not random`);
        values.push({ where, value });
      }
    }
    for (const pod of podSpecs(doc)) {
      for (const c of containersOf(pod.spec)) {
        for (const env of c.env ?? []) {
          if (SECRET_ENV.test(env.name) && env.value !== undefined) {
            problems.push(`${pod.where} container ${c.name}: env ${env.name} is a literal value (use a secretKeyRef)`);
          }
        }
      }
    }
    if (doc.kind === 'FlinkDeployment') {
      for (const key of Object.keys(doc.spec?.flinkConfiguration ?? {})) {
        if (/(secret|password|access-key)/i.test(key)) problems.push(`${id(doc)}: flinkConfiguration.${key} holds a credential (use env from a Secret)`);
      }
    }
  }
  const others = docs.filter((d) => d.kind !== 'Secret').map((d) => ({ doc: d, text: JSON.stringify(d) }));
  for (const { where, value } of values) {
    for (const { doc, text } of others) if (text.includes(value)) problems.push(`${where}: its value appears in ${id(doc)}`);
  }
  return problems;
}

export function allKubeProblems(docs: KubeDoc[]): string[] {
  return [...checkImagesPinned(docs), ...checkNonRoot(docs), ...checkResources(docs), ...checkSecrets(docs)];
}
