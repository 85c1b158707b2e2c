// Who may publish where: an MQTT user is one device (`<tenant>/<deviceId>`) or one tenant (`<tenant>`), per
// iot-platform.yaml `mqtt.credentials`, and may publish only to the topics of the manifest's MQTT sources with
// its own {tenant} (and {deviceId}) filled in; every other placeholder matches any segment.
import { compilePattern } from '../ingest-gateway/mqtt-topics.ts';
import type { RuntimeManifest } from '../service-kit/manifest.ts';

export interface DeviceIdentity {
  /** The MQTT user name: "<tenant>/<deviceId>" or "<tenant>". */
  username: string;
  tenant: string;
  deviceId?: string;
}

type AccessManifest = Pick<RuntimeManifest, 'events' | 'mqtt'>;

const SEGMENT = /^[^/+#\s]+$/;
/** The platform's own MQTT users, which no tenant may be named after. */
const RESERVED = ['admin', 'gateway'];

export function mqttPatterns(manifest: Pick<RuntimeManifest, 'events'>): string[] {
  return Object.values(manifest.events).flatMap((event) => ('mqtt' in event.source ? [event.source.mqtt] : []));
}

/** The identity a device or tenant publishes as; ids must be single topic segments. */
export function identity(manifest: AccessManifest, tenant: string, deviceId?: string): DeviceIdentity {
  for (const [name, value] of [['tenant', tenant], ['device id', deviceId]] as const) {
    if (value !== undefined && !SEGMENT.test(value)) throw new Error(`${name} ${JSON.stringify(value)} must be one topic segment: no "/", "+", "#" or spaces`);
  }
  if (manifest.mqtt.credentials === 'tenant') {
    if (RESERVED.includes(tenant)) throw new Error(`tenant ${JSON.stringify(tenant)} is the name of a platform MQTT user; choose another tenant id`);
    return { username: tenant, tenant };
  }
  if (deviceId === undefined) throw new Error(`mqtt.credentials is device: name the device as <tenant>/<deviceId>, not only the tenant ${JSON.stringify(tenant)}`);
  return { username: `${tenant}/${deviceId}`, tenant, deviceId };
}

/** Parses "<tenant>/<deviceId>" (or "<tenant>" with tenant credentials). */
export function parseIdentity(manifest: AccessManifest, text: string): DeviceIdentity {
  const [tenant, deviceId, ...rest] = text.split('/');
  if (!tenant || rest.length > 0 || deviceId === '') throw new Error(`${JSON.stringify(text)} is not <tenant>/<deviceId> (or <tenant>)`);
  return identity(manifest, tenant, manifest.mqtt.credentials === 'tenant' ? undefined : deviceId);
}

/** The identity that owns a concrete topic, or undefined when no MQTT source matches it. */
export function identityOfTopic(manifest: AccessManifest, topic: string): DeviceIdentity | undefined {
  for (const pattern of mqttPatterns(manifest)) {
    const values = compilePattern(pattern).match(topic);
    if (values?.tenant) return identity(manifest, values.tenant, manifest.mqtt.credentials === 'tenant' ? undefined : values.deviceId);
  }
  return undefined;
}

/** The topic filters an identity may publish to (one per MQTT source). */
export function publishFilters(manifest: AccessManifest, who: DeviceIdentity): string[] {
  const own: Record<string, string | undefined> = { tenant: who.tenant, deviceId: who.deviceId };
  const filters = mqttPatterns(manifest).map((pattern) =>
    pattern
      .split('/')
      .map((segment) => {
        if (!segment.includes('{')) return segment;
        const filled = segment.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => own[name] ?? whole);
        return filled.includes('{') ? '+' : filled;
      })
      .join('/'),
  );
  return [...new Set(filters)];
}
