import { Config, Context, Effect, Layer, Option } from "effect"
import type { UrlParts } from "./SplitUrl.js"

/**
 * The upstream override (contract): env `WXFLEET_UPSTREAM` holds a URL template containing
 * `{host}`. A request for `https://<host><path-and-query>` is sent to the template with `{host}`
 * replaced, followed by `<path-and-query>`. Code always builds the real URLs; cookies are kept
 * and matched against them, as a browser would; only the transport rewrites.
 */
export class Upstream extends Context.Tag("@wxfleet/protocol/Upstream")<
  Upstream,
  { readonly template: Option.Option<string> }
>() {
  /** Send requests to the real hosts, or to `template` when one is given. */
  static readonly layer = (template?: string): Layer.Layer<Upstream> =>
    Layer.succeed(Upstream, { template: Option.fromNullable(template) })

  static readonly layerFromEnv: Layer.Layer<Upstream> = Layer.effect(
    Upstream,
    Effect.map(
      Config.option(Config.string("WXFLEET_UPSTREAM")).pipe(Effect.orElseSucceed(() => Option.none())),
      (template) => ({ template }),
    ),
  )
}

/** Where a request for `realUrl` is actually sent under an optional upstream template. */
export const transportUrl = (template: Option.Option<string>, realUrl: URL): string =>
  transportUrlOf(template, { href: realUrl.href, host: realUrl.host, pathAndQuery: realUrl.pathname + realUrl.search })

/** `transportUrl` of a URL already taken apart (`splitUrl`). */
export const transportUrlOf = (
  template: Option.Option<string>,
  real: UrlParts,
): string => (Option.isNone(template) ? real.href : template.value.replace("{host}", real.host) + real.pathAndQuery)
