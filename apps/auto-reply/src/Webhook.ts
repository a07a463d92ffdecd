import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { MessageEvent } from "@wxfleet/contracts"
import { Data, Duration, Effect, Schedule, Schema } from "effect"
import type { Webhook as WebhookConfig } from "./AutoReplyConfig.js"

/** The webhook gave no usable answer, after its retries. */
export class WebhookFailed extends Data.TaggedError("WebhookFailed")<{
  readonly url: string
  readonly reason: string
}> {
  override get message(): string {
    return `webhook ${this.url}: ${this.reason}`
  }
}

/** `{ "text": "…" }`; no text (or an empty one) means "do not answer". */
const WebhookReply = Schema.Struct({ text: Schema.optional(Schema.NullOr(Schema.String)) })

const encodeEvent = Schema.encodeSync(MessageEvent)

/** Between tries: 200 ms, 400 ms, 800 ms… with jitter. */
const retrySpacing = Schedule.exponential("200 millis").pipe(Schedule.jittered)

/**
 * The webhook provider: POSTs the decoded message event as JSON (with the message id as
 * `Idempotency-Key`, since a retry may repeat a request the endpoint already got) and returns
 * the text it answers. Each try has the timeout; failures are tried again `retries` times.
 */
export class Webhook extends Effect.Service<Webhook>()("@wxfleet/auto-reply/Webhook", {
  effect: Effect.gen(function* () {
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)

    const ask = (
      webhook: WebhookConfig,
      event: MessageEvent,
    ): Effect.Effect<string | undefined, WebhookFailed> =>
      HttpClientRequest.post(webhook.url).pipe(
        HttpClientRequest.setHeader("idempotency-key", `${event.account}:${event.message.id}`),
        HttpClientRequest.bodyUnsafeJson(encodeEvent(event)),
        client.execute,
        Effect.flatMap(HttpClientResponse.schemaBodyJson(WebhookReply)),
        Effect.scoped,
        Effect.timeoutFail({
          duration: webhook.timeout,
          onTimeout: () =>
            new WebhookFailed({
              url: webhook.url,
              reason: `no answer within ${Duration.format(webhook.timeout)}`,
            }),
        }),
        Effect.mapError((error) =>
          error instanceof WebhookFailed
            ? error
            : new WebhookFailed({ url: webhook.url, reason: error.message }),
        ),
        Effect.retry({ schedule: retrySpacing, times: webhook.retries }),
        Effect.map((reply) => (reply.text ? reply.text : undefined)),
        Effect.withSpan("Webhook.ask", { attributes: { url: webhook.url } }),
      )

    return { ask } as const
  }),
}) {}
