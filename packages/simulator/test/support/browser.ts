/**
 * A minimal browser for simulator tests: real HTTP to the simulator through the upstream
 * template, and cookies kept and matched by domain as a browser would (so a cookie set for
 * `wx2.qq.com` reaches `webpush.wx2.qq.com` but not `web.wechat.com`).
 */
interface StoredCookie {
  readonly name: string
  readonly value: string
  readonly domain: string
  readonly hostOnly: boolean
}

export interface BrowserResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly bytes: Uint8Array
}

export class Browser {
  readonly cookies: Array<StoredCookie> = []

  constructor(readonly simulatorUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.value
  }

  private cookieHeader(host: string): string {
    return this.cookies
      .filter((c) => (c.hostOnly ? c.domain === host : host === c.domain || host.endsWith("." + c.domain)))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ")
  }

  async request(
    url: string,
    init: { method?: string; body?: string | FormData | Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    const real = new URL(url)
    const headers: Record<string, string> = { ...init.headers }
    const cookie = this.cookieHeader(real.hostname)
    if (cookie) headers["cookie"] = cookie
    const response = await fetch(`${this.simulatorUrl}/${real.hostname}${real.pathname}${real.search}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      redirect: "manual",
      ...(init.body === undefined ? {} : { body: init.body }),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((p) => p.trim())
      const eq = pair!.indexOf("=")
      const domainAttr = attributes.find((a) => a.toLowerCase().startsWith("domain="))
      const domain = domainAttr ? domainAttr.slice(7).replace(/^\./, "") : real.hostname
      const name = pair!.slice(0, eq)
      const index = this.cookies.findIndex((c) => c.name === name && c.domain === domain)
      if (index !== -1) this.cookies.splice(index, 1)
      this.cookies.push({ name, value: pair!.slice(eq + 1), domain, hostOnly: !domainAttr })
    }
    const bytes = new Uint8Array(await response.arrayBuffer())
    return { status: response.status, headers: response.headers, bytes, text: Buffer.from(bytes).toString("utf8") }
  }

  async postJson(url: string, body: unknown): Promise<BrowserResponse> {
    return this.request(url, { body: JSON.stringify(body), headers: { "content-type": "application/json;charset=UTF-8" } })
  }
}
