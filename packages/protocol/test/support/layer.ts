import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import type { Simulator } from "@wxfleet/simulator"
import { ProtocolConfig, type ProtocolConfigShape } from "../../src/ProtocolConfig.js"
import { Transport } from "../../src/http/Transport.js"
import { Upstream } from "../../src/http/Upstream.js"

/** The protocol client wired to a simulator over real HTTP (undici), through the upstream template. */
export const protocolLayer = (sim: Simulator, config: Partial<ProtocolConfigShape> = {}) =>
  Layer.mergeAll(Transport.Default, ProtocolConfig.layer(config)).pipe(
    Layer.provide(Layer.mergeAll(NodeHttpClient.layerUndici, Upstream.layer(sim.upstream))),
  )
