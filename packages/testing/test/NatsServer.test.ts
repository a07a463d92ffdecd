import { createConnection } from "node:net"
import { afterAll, assert, it } from "vitest"
import { NatsServer } from "../src/index.js"

const server = await NatsServer.start()
afterAll(() => server.dispose())

/** The first bytes a NATS server sends are its INFO line, which names JetStream when it is on. */
const info = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    socket.once("data", (data) => {
      resolve(data.toString("utf8"))
      socket.destroy()
    })
    socket.once("error", reject)
  })

it("runs a JetStream server on its own port", async () => {
  assert.match(await info(server.port), /^INFO .*"jetstream":true/)
})

it("can be killed and restarted on the same port", async () => {
  await server.stop()
  let refused = false
  await info(server.port).catch(() => {
    refused = true
  })
  assert.isTrue(refused)
  await server.restart()
  assert.match(await info(server.port), /^INFO /)
})
