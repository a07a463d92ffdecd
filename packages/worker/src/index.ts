export { WorkerConfig, defaultWorkerConfig, type WorkerConfigShape } from "./WorkerConfig.js"
export {
  runWorker,
  workerLayer,
  WorkerServicesLive,
  outcomeCounter,
  type Delivery,
  type Outcome,
  type WorkerSpec,
} from "./Worker.js"
export { Commands, CommandFailed, type ActionKey, type SendText } from "./Commands.js"
export { Directory, type Member, type Names } from "./Directory.js"
export { FleetNames } from "./FleetNames.js"
export { Guard, type GuardOptions, type Ignored } from "./Guard.js"
export { MARKER, withMarker, hasMarker } from "./Marker.js"
export { Unprocessable } from "./errors.js"
export { ConfigFileError, parseRules, watchRules, sectionFor, type Rules } from "./RulesFile.js"
export * as ConfigSchemas from "./ConfigSchemas.js"
export { ensureWorkerStreams } from "./Streams.js"
