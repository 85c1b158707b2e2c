// Idempotent provisioning through the dynamic security plugin: each client gets its own role holding exactly
// its ACLs, and the password it should have. Running it again changes nothing; a changed manifest or .env
// updates the ACLs and passwords in place.
import type { DynsecAdmin, DynsecCommand, DynsecResponse } from './dynsec-admin.ts';
import { devicePassword } from './device-password.ts';
import { publishFilters, type DeviceIdentity } from './identities.ts';
import type { RuntimeManifest } from '../service-kit/manifest.ts';

export interface Acl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribePattern' | 'subscribeLiteral';
  topic: string;
  allow: boolean;
}

export interface ClientSpec {
  username: string;
  password: string;
  rolename: string;
  acls: Acl[];
}

export const GATEWAY_USER = 'gateway';
export const ADMIN_USER = 'admin';
const DEVICE_ROLE_PREFIX = 'device:';

/** The ingest gateway reads everything and publishes nothing (its health check subscribes to health/probe). */
export function gatewayClient(password: string): ClientSpec {
  return {
    username: GATEWAY_USER,
    password,
    rolename: 'ingest-gateway',
    acls: [
      { acltype: 'subscribePattern', topic: '#', allow: true },
      { acltype: 'publishClientReceive', topic: '#', allow: true },
    ],
  };
}

export function deviceClient(manifest: Pick<RuntimeManifest, 'events' | 'mqtt'>, deviceKey: string, who: DeviceIdentity): ClientSpec {
  return {
    username: who.username,
    password: devicePassword(deviceKey, who.username),
    rolename: `${DEVICE_ROLE_PREFIX}${who.username}`,
    acls: publishFilters(manifest, who).map((topic) => ({ acltype: 'publishClientSend', topic, allow: true })),
  };
}

const exists = (r: DynsecResponse) => r.error === 'Role already exists' || r.error === 'Client already exists';
const aclKey = (acl: Pick<Acl, 'acltype' | 'topic'>) => `${acl.acltype} ${acl.topic}`;

/** Creates or updates the clients; answers how many were created and how many were updated. */
export async function ensureClients(admin: DynsecAdmin, specs: ClientSpec[]): Promise<{ created: number; updated: number }> {
  const create = specs.flatMap((s): DynsecCommand[] => [
    { command: 'createRole', rolename: s.rolename, acls: s.acls.map((acl) => ({ ...acl, priority: 0 })) },
    { command: 'createClient', username: s.username, password: s.password, roles: [{ rolename: s.rolename }] },
  ]);
  const created = await admin.runAll(create, exists);
  const existing = specs.filter((_, i) => created[2 * i]!.error || created[2 * i + 1]!.error);
  if (existing.length === 0) return { created: specs.length, updated: 0 };

  const current = await admin.runAll(
    existing.flatMap((s): DynsecCommand[] => [
      { command: 'getRole', rolename: s.rolename },
      { command: 'getClient', username: s.username },
    ]),
  );
  const update = existing.flatMap((s, i): DynsecCommand[] => {
    const role = (current[2 * i]!.data as { role: { acls: Acl[] } }).role;
    const client = (current[2 * i + 1]!.data as { client: { roles: { rolename: string }[] } }).client;
    const wanted = new Map(s.acls.map((acl) => [aclKey(acl), acl]));
    const present = new Map(role.acls.map((acl) => [aclKey(acl), acl]));
    return [
      ...role.acls
        .filter((acl) => wanted.get(aclKey(acl))?.allow !== acl.allow)
        .map((acl): DynsecCommand => ({ command: 'removeRoleACL', rolename: s.rolename, acltype: acl.acltype, topic: acl.topic })),
      ...s.acls
        .filter((acl) => present.get(aclKey(acl))?.allow !== acl.allow)
        .map((acl): DynsecCommand => ({ command: 'addRoleACL', rolename: s.rolename, ...acl, priority: 0 })),
      { command: 'setClientPassword', username: s.username, password: s.password },
      ...(client.roles.some((r) => r.rolename === s.rolename) ? [] : [{ command: 'addClientRole', username: s.username, rolename: s.rolename }]),
    ];
  });
  await admin.runAll(update);
  return { created: specs.length - existing.length, updated: existing.length };
}

/** Deletes device clients and their roles; answers the user names that did not exist. */
export async function removeDevices(admin: DynsecAdmin, usernames: string[]): Promise<string[]> {
  const responses = await admin.runAll(
    usernames.flatMap((username): DynsecCommand[] => [
      { command: 'deleteClient', username },
      { command: 'deleteRole', rolename: `${DEVICE_ROLE_PREFIX}${username}` },
    ]),
    (r) => r.error === 'Client not found' || r.error === 'Role not found',
  );
  return usernames.filter((_, i) => responses[2 * i]!.error);
}

/** The device (and tenant) users, without the platform's own. */
export async function listDevices(admin: DynsecAdmin): Promise<string[]> {
  const [response] = await admin.runAll([{ command: 'listRoles' }]);
  const roles = (response!.data as { roles: string[] }).roles;
  return roles.filter((r) => r.startsWith(DEVICE_ROLE_PREFIX)).map((r) => r.slice(DEVICE_ROLE_PREFIX.length)).sort();
}
