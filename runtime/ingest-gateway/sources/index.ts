// The source registry: a source kind of the manifest (events.<name>.source) → what starts it. The gateway
// starts one source per kind that the manifest's events use.
import { sourceKind, type SourceKind } from '../../../manifest/schema.ts';
import type { EventDefinition } from '../../service-kit/manifest.ts';
import { startHttpPushSource } from './http-push.ts';
import { startMqttSource } from './mqtt.ts';
import { startPollSource } from './poll.ts';
import type { SourceEvents, SourceStarter } from './source.ts';

export type { RunningSource, SourceDeps } from './source.ts';

export const SOURCES: Record<SourceKind, SourceStarter> = {
  mqtt: startMqttSource,
  http: startHttpPushSource,
  poll: startPollSource,
};

/** The manifest's events grouped by source kind, in manifest order. */
export function eventsByKind(events: Record<string, EventDefinition>): Map<SourceKind, SourceEvents> {
  const groups = new Map<SourceKind, SourceEvents>();
  for (const entry of Object.entries(events)) {
    const kind = sourceKind(entry[1]);
    groups.set(kind, [...(groups.get(kind) ?? []), entry]);
  }
  return groups;
}
