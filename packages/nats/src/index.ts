export {
  Nats,
  NatsError,
  ensureStream,
  header,
  keyValue,
  kvWriteThen,
  publishPersistent,
  publishPersistentBatch,
  publishPersistentBatchThen,
  request,
  serve,
  tryNats,
  type NatsOptions,
  type NatsShape,
  type PublishOptions,
  type ServeOptions,
  type StreamSpec,
} from "./Nats.js"
export { FifoGate } from "./FifoGate.js"
export { AckedPublisher, NotAcknowledged, type PersistentMessage } from "./AckedPublisher.js"
