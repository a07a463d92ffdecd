export {
  Nats,
  NatsError,
  ensureStream,
  header,
  keyValue,
  publishPersistent,
  publishPersistentBatch,
  request,
  serve,
  tryNats,
  type NatsOptions,
  type NatsShape,
  type PersistentMessage,
  type PublishOptions,
  type ServeOptions,
  type StreamSpec,
} from "./Nats.js"
export { FifoGate } from "./FifoGate.js"
