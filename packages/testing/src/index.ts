export { NatsServer, NatsServerService, freePort, natsServerBinary } from "./NatsServer.js"
