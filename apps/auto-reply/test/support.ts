import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Nats } from "@wxfleet/nats"
import { defaultWorkerConfig, WorkerConfig } from "@wxfleet/worker"
import type { TestFleet } from "@wxfleet/worker/testing"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Duration, Layer } from "effect"
import { APP, AutoReplyLive } from "../src/index.js"

/** Writes a config file in a fresh directory and returns its path. */
export const configFile = async (name: string, text: string): Promise<string> => {
  const file = join(await mkdtemp(join(tmpdir(), "wxfleet-autoreply-")), name)
  await writeFile(file, text)
  return file
}

/** Short backoffs, so redeliveries happen within a test. */
export const testWorkerConfig = (instance: string) => ({
  ...defaultWorkerConfig(APP),
  instance,
  backoff: [Duration.seconds(2), Duration.seconds(4)],
  maxDeliver: 3,
  concurrency: 8,
  commandTimeout: Duration.seconds(20),
})

/** A copy of auto-reply wired to the test fleet's NATS. */
export const autoReply = (fleet: TestFleet, file: string, instance = "copy-a") =>
  AutoReplyLive(file).pipe(
    Layer.provide(
      Layer.mergeAll(
        Nats.layer({ servers: fleet.nats.url, name: `auto-reply-${instance}` }),
        WorkerConfig.layer(testWorkerConfig(instance)),
        NodeHttpClient.layerUndici,
        NodeContext.layer,
      ),
    ),
  )
