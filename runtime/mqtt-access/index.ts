// Device identities and MQTT access for the platform's tools and a project's simulator and tests.
export { brokerSettings, type BrokerSettings } from './broker-settings.ts';
export { projectEnv } from '../service-kit/project-env.ts';
export { DeviceConnections, type DeviceConnectionSettings } from './device-connections.ts';
export { devicePassword } from './device-password.ts';
export { identity, identityOfTopic, publishFilters, type DeviceIdentity } from './identities.ts';
