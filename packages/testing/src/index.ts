export { NatsServer, NatsServerService, freePort, natsServerBinary, spawnNatsServer, type SpawnedNatsServer } from "./NatsServer.js"
