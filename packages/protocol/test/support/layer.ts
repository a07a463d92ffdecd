import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer } from "effect"
import type { Simulator } from "@wxfleet/simulator"
import { ProtocolConfig, type ProtocolConfigShape } from "../../src/ProtocolConfig.js"
import * as LeanUndiciClient from "../../src/http/LeanUndiciClient.js"
import { Transport } from "../../src/http/Transport.js"
import { Upstream } from "../../src/http/Upstream.js"

/** The protocol client over `client`, its requests sent through the upstream template. */
const overClient = (
  upstream: string,
  client: Layer.Layer<HttpClient.HttpClient>,
  config: Partial<ProtocolConfigShape> = {},
) =>
  Layer.mergeAll(Transport.Default, ProtocolConfig.layer(config)).pipe(
    Layer.provide(Layer.mergeAll(client, Upstream.layer(upstream))),
  )

/** undici's client with each request handed to `use` before it leaves. */
const wrappedUndici = (use: (real: HttpClient.HttpClient) => HttpClient.HttpClient) =>
  Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, use)).pipe(
    Layer.provide(NodeHttpClient.layerUndici),
  )

/**
 * The protocol client wired to a simulator over real HTTP through the upstream template, on the
 * lean undici client the supervisor runs (the recording and tapped layers below wrap
 * platform-node's client instead, so both of the Transport's paths are exercised).
 */
export const protocolLayer = (sim: Simulator, config: Partial<ProtocolConfigShape> = {}) =>
  overClient(sim.upstream, LeanUndiciClient.layer, config)

export interface Recording {
  /** Every request the client sent, as the transport handed it to undici (URL already rewritten). */
  readonly requests: ReadonlyArray<HttpClientRequest.HttpClientRequest>
  /** The requests sent to one endpoint, oldest first. */
  readonly requestsTo: (endpoint: string) => ReadonlyArray<HttpClientRequest.HttpClientRequest>
  /** Called with each request as it leaves; a test may set it to react to one. */
  onRequest: (request: HttpClientRequest.HttpClientRequest) => void
  /** The client recording into this same list, sent to another upstream (a dead port, say). */
  readonly layerVia: (upstream: string) => Layer.Layer<Transport | ProtocolConfig>
}

/** The real client over real HTTP, recording every request it sends. */
export const recordingLayer = (
  sim: Simulator,
): Recording & { readonly layer: Layer.Layer<Transport | ProtocolConfig> } => {
  const requests: Array<HttpClientRequest.HttpClientRequest> = []
  const recording: Recording = {
    requests,
    requestsTo: (endpoint) =>
      requests.filter((r) => new URL(r.url).pathname.endsWith(`/${endpoint}`)),
    onRequest: () => {},
    layerVia: (upstream) =>
      overClient(
        upstream,
        wrappedUndici(
          HttpClient.tapRequest((request) =>
            Effect.sync(() => {
              requests.push(request)
              recording.onRequest(request)
            }),
          ),
        ),
      ),
  }
  return Object.assign(recording, { layer: recording.layerVia(sim.upstream) })
}

/** The real client over real HTTP, with a hook that may answer or break chosen requests itself. */
export const tappedLayer = (
  sim: Simulator,
  tap: (request: {
    readonly url: URL
    readonly request: HttpClientRequest.HttpClientRequest
  }) =>
    | Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    | undefined,
) =>
  overClient(
    sim.upstream,
    wrappedUndici((real) =>
      HttpClient.make(
        (request) => tap({ url: new URL(request.url), request }) ?? real.execute(request),
      ),
    ),
  )

/** The JSON body of a request (a JSON POST's), parsed. */
export const jsonBody = (
  request: HttpClientRequest.HttpClientRequest | undefined,
): Record<string, unknown> => {
  if (request?.body._tag !== "Uint8Array") throw new Error("not a JSON request")
  return JSON.parse(new TextDecoder().decode(request.body.body)) as Record<string, unknown>
}
