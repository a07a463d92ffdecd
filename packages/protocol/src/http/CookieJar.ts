import * as Cookies from "@effect/platform/Cookies"
import { CookieJar as ToughCookieJar, type SerializedCookieJar } from "tough-cookie"

/**
 * An RFC 6265 cookie jar per account. Web WeChat sets cookies for different domains
 * (`wx2.qq.com`, `.qq.com`) and `@effect/platform`'s Cookies ignores domain and path when it
 * builds a header, so matching is left to tough-cookie. Serialisable, so a session can be
 * persisted and resumed.
 *
 * Between uses the cookies are kept as tough-cookie's serialized JSON, and a jar is opened only
 * to set cookies or to build a header the cache below does not hold: a session sets cookies at
 * login and asks the same few URLs all day, and an open jar (its store's index, a Cookie and
 * three Dates per cookie) is ~5 KB that a fleet of thousands would keep for nothing.
 */
export class CookieJar {
  /**
   * Cookie headers by URL without its query: building one is costly and a session asks the same
   * few URLs all day. One stays good until a response sets a cookie or one of its cookies expires.
   */
  private readonly headers = new Map<string, { readonly header: string; readonly until: number }>()
  private changes = 0

  private constructor(private stored: string) {}

  /** Grows whenever a response set a cookie: a persisted copy older than this is stale. */
  get version(): number {
    return this.changes
  }

  static empty(): CookieJar {
    return CookieJar.closing(new ToughCookieJar(undefined, { rejectPublicSuffixes: false }))
  }

  /** Restores a jar from `serialize()`'s output; undefined when it is not one. */
  static restore(serialized: unknown): CookieJar | undefined {
    try {
      return CookieJar.closing(ToughCookieJar.deserializeSync(serialized as string))
    } catch {
      return undefined
    }
  }

  private static closing(jar: ToughCookieJar): CookieJar {
    return new CookieJar(JSON.stringify(jar.serializeSync()))
  }

  /** The cookies as a working jar, for as long as the caller needs it. */
  private open(): ToughCookieJar {
    return ToughCookieJar.deserializeSync(this.stored)
  }

  /** The `Cookie` header a browser would send to this (real) URL. */
  header(url: string): string {
    const query = url.indexOf("?")
    const key = query === -1 ? url : url.slice(0, query)
    const now = Date.now()
    const cached = this.headers.get(key)
    if (cached !== undefined && cached.until > now) return cached.header
    const cookies = this.open().getCookiesSync(url)
    let until = Number.POSITIVE_INFINITY
    for (const cookie of cookies) until = Math.min(until, cookie.expiryTime() ?? Number.POSITIVE_INFINITY)
    const built = cookies.map((cookie) => cookie.cookieString()).join("; ")
    // The URLs of a host mostly share one header: keep one copy of it. And a key sliced from
    // the URL would keep the whole URL alive; a session holds a few of them for its lifetime.
    const header = [...this.headers.values()].find((entry) => entry.header === built)?.header ?? built
    this.headers.set(cached === undefined ? flatCopy(key) : key, { header, until })
    return header
  }

  /** Keeps the cookies a response from this (real) URL set, each parsed on its own. */
  store(url: string, cookies: Cookies.Cookies): void {
    const set = Object.values(cookies.cookies)
    if (set.length === 0) return
    const jar = this.open()
    for (const cookie of set) {
      jar.setCookieSync(Cookies.serializeCookie(cookie), url, { ignoreError: true })
    }
    this.stored = JSON.stringify(jar.serializeSync())
    this.headers.clear()
    this.changes++
  }

  /** The value of a cookie as it would be sent to `url`. */
  value(name: string, url: string): string | undefined {
    return this.open().getCookiesSync(url).find((c) => c.key === name)?.value
  }

  /** Any stored cookie of that name, whatever its domain. */
  find(name: string): string | undefined {
    return this.serialize().cookies.find((c) => c.key === name)?.value as string | undefined
  }

  /** tough-cookie's serialized form, as `restore` takes it. */
  serialize(): SerializedCookieJar {
    return JSON.parse(this.stored) as SerializedCookieJar
  }
}

/** A string of its own: a slice of a longer string would keep that one alive. */
const flatCopy = (text: string): string => Buffer.from(text, "utf8").toString("utf8")
