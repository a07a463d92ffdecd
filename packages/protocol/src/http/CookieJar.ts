import { Cookies } from "@effect/platform"
import { CookieJar as ToughCookieJar } from "tough-cookie"

/**
 * An RFC 6265 cookie jar per account. Web WeChat sets cookies for different domains
 * (`wx2.qq.com`, `.qq.com`) and `@effect/platform`'s Cookies ignores domain and path when it
 * builds a header, so matching is left to tough-cookie. Serialisable, so a session can be
 * persisted and resumed.
 */
export class CookieJar {
  private constructor(private readonly jar: ToughCookieJar) {}

  static empty(): CookieJar {
    return new CookieJar(new ToughCookieJar(undefined, { rejectPublicSuffixes: false }))
  }

  /** Restores a jar from `serialize()`'s output; undefined when it is not one. */
  static restore(serialized: unknown): CookieJar | undefined {
    try {
      return new CookieJar(ToughCookieJar.deserializeSync(serialized as string))
    } catch {
      return undefined
    }
  }

  /** The `Cookie` header a browser would send to this (real) URL. */
  header(url: string): string {
    return this.jar.getCookieStringSync(url)
  }

  /** Keeps the cookies a response from this (real) URL set, each parsed on its own. */
  store(url: string, cookies: Cookies.Cookies): void {
    for (const cookie of Object.values(cookies.cookies)) {
      this.jar.setCookieSync(Cookies.serializeCookie(cookie), url, { ignoreError: true })
    }
  }

  /** The value of a cookie as it would be sent to `url`. */
  value(name: string, url: string): string | undefined {
    return this.jar.getCookiesSync(url).find((c) => c.key === name)?.value
  }

  /** Any stored cookie of that name, whatever its domain. */
  find(name: string): string | undefined {
    const serialized = this.jar.serializeSync()
    return serialized?.cookies.find((c) => c.key === name)?.value as string | undefined
  }

  serialize(): unknown {
    return this.jar.serializeSync()
  }
}
