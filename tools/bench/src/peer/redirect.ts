/**
 * Points wechat4u at the simulator without changing its code. wechat4u gives every bot its own
 * axios instance (`axios.create` in `lib/util/request.js`) and keeps it to itself: its `Request`
 * constructor returns only a request function. So the interceptors go onto each instance as
 * `axios.create` makes it, on the one axios module wechat4u loads.
 */

/** The part of an axios request config the interceptor touches. */
interface RequestConfig {
  url?: string
}

interface Interceptors<V> {
  use(fulfilled: (value: V) => V): number
}

interface AxiosInstance {
  readonly interceptors: {
    readonly request: Interceptors<RequestConfig>
  }
}

/** The axios module object (`require("axios")`): only `create` matters here. */
export interface AxiosModule {
  create: (defaults?: unknown) => AxiosInstance
}

/**
 * `https://<host>/<path>` → the `WXFLEET_UPSTREAM` template with `{host}` filled in, e.g.
 * `http://127.0.0.1:7300/{host}` → `http://127.0.0.1:7300/wx2.qq.com/<path>`. Other URLs are
 * left as they are.
 */
export const rewriteUrl = (url: string, upstream: string): string => {
  const match = /^https?:\/\/([^/?#]+)(.*)$/s.exec(url)
  if (!match) return url
  return upstream.replace("{host}", match[1]!) + match[2]!
}

/** Every axios instance made from now on sends its requests to the simulator at `upstream`. */
export const redirectAxios = (axios: AxiosModule, upstream: string): void => {
  const create = axios.create.bind(axios)
  axios.create = (defaults) => {
    const instance = create(defaults)
    instance.interceptors.request.use((config) => {
      if (config.url !== undefined) config.url = rewriteUrl(config.url, upstream)
      return config
    })
    return instance
  }
}
