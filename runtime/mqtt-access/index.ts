// Device identities and MQTT access for the platform's tools and a project's simulator and tests.
export { brokerSettings, projectEnv, type BrokerSettings } from './broker-settings.ts';
export { DeviceConnections, type DeviceConnectionSettings } from './device-connections.ts';
export { devicePassword } from './device-password.ts';
export { identity, identityOfTopic, publishFilters, type DeviceIdentity } from './identities.ts';
