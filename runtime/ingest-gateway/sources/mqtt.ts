// MQTT source: one persistent-session client (QoS 1) subscribed to every MQTT event's topic pattern; the
// topic's {placeholders} become the record's context fields. Back-pressure pauses the TCP stream.
import { hostname } from 'node:os';
import { connect, type IClientOptions } from 'mqtt';
import * as env from '../../service-kit/env.ts';
import { TopicRouter } from '../mqtt-topics.ts';
import type { SourceStarter } from './source.ts';

export const startMqttSource: SourceStarter = async (events, { ingest, log }) => {
  const config = env.readConfig(() => ({
    url: env.str('MQTT_URL'),
    username: env.optional('MQTT_USERNAME'),
    password: env.optional('MQTT_PASSWORD'),
    clientId: env.str('MQTT_CLIENT_ID', `ingest-gateway-${hostname()}`),
    /** Set to share the subscriptions among several gateway replicas ($share/<group>/…). */
    sharedGroup: env.optional('MQTT_SHARED_GROUP'),
  }));
  const router = new TopicRouter<string>();
  for (const [name, event] of events) if ('mqtt' in event.source) router.add(event.source.mqtt, name);

  const options: IClientOptions = {
    clientId: config.clientId,
    protocolVersion: 5,
    clean: false, // a persistent session: the broker keeps QoS 1 messages while the gateway restarts
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 65535 },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
  };
  const client = connect(config.url, options);
  client.on('message', (topic, payload) => {
    const receivedAt = Date.now();
    const resolved = router.resolve(topic);
    if (!resolved) return ingest.reject('mqtt', topic, payload, receivedAt, `no event matches MQTT topic ${topic}`);
    ingest.accept({ event: resolved.target, source: 'mqtt', origin: topic, payload, context: resolved.context, receivedAt });
  });
  client.on('error', (error) => log.error('mqtt error', { error }));
  client.on('offline', () => log.warn('mqtt offline; reconnecting'));
  client.on('connect', (connack) => {
    const filters = router.filters().map((f) => (config.sharedGroup ? `$share/${config.sharedGroup}/${f}` : f));
    log.info('mqtt connected', { sessionPresent: connack.sessionPresent, filters });
    client.subscribe(filters, { qos: 1 }, (error) => {
      if (error) log.error('mqtt subscribe failed', { error });
    });
  });
  return {
    ready: () => client.connected,
    pause: () => client.stream.pause(),
    resume: () => client.stream.resume(),
    stop: async () => {
      await client.endAsync();
    },
  };
};
