export { NatsServer, NatsServerService, freePort, natsServerBinary, spawnNatsServer, type NatsServerOptions, type SpawnedNatsServer } from "./NatsServer.js"
