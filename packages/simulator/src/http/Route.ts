import type { Context } from "./Context.js"
import type { HostKind } from "./hosts.js"

/** An endpoint on one kind of logical host. `path` ending in `/` matches by prefix. */
export interface Route {
  readonly kind: HostKind
  readonly method: "GET" | "POST"
  readonly path: string
  readonly handle: (ctx: Context) => void | Promise<void>
}

export const CGI = "/cgi-bin/mmwebwx-bin"
