// The GTFS-RT simulator as a library (create-iot-platform/gtfs-rt-simulator), for blueprint tests that build or
// serve feeds themselves: a repeated feed, a 304, a malformed body, a position without a trip.
export { encodeFeedMessage } from './gtfs-rt-encode.ts';
export type { FeedEntity, FeedMessage, StopTimeUpdate, TripDescriptor, TripUpdate, VehiclePosition } from './gtfs-rt-encode.ts';
export { startFeedServer } from './feed-server.ts';
export type { FeedServer, FeedServerOptions, Snapshot } from './feed-server.ts';
export { readStaticFeed } from './static-feed.ts';
export type { StaticFeed, Trip, TripStop } from './static-feed.ts';
export { readRecordedFeeds, replaySlot } from './replay.ts';
export { SimClock } from './sim-clock.ts';
export { VehicleSimulator } from './vehicle-simulator.ts';
export type { SimulatedVehicle, SimulationOptions } from './vehicle-simulator.ts';
