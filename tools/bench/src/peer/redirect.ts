/**
 * Points wechat4u at the simulator without changing its code. wechat4u gives every bot its own
 * axios instance (`axios.create` in `lib/util/request.js`) and keeps it to itself: its `Request`
 * constructor returns only a request function. So the interceptors go onto each instance as
 * `axios.create` makes it, on the one axios module wechat4u loads.
 */

/** The parts of an axios request config the interceptors touch. */
interface RequestConfig {
  url?: string
}

/** The parts of an axios response the interceptors touch. */
interface Response {
  readonly status: number
  readonly data: unknown
  readonly config: RequestConfig
}

interface Interceptors<V> {
  use(fulfilled: (value: V) => V): number
}

interface AxiosInstance {
  readonly interceptors: {
    readonly request: Interceptors<RequestConfig>
    readonly response: Interceptors<Response>
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

/**
 * wechat4u 0.7.14 logs in the way the server answered UOS clients in 2022: webwxnewloginpage
 * came back as a 301 whose XML held skey, wxsid, wxuin and pass_ticket, and wechat4u reads them
 * only from that 301 (an answer of 200 leaves it without a session). The simulator answers the
 * URL wechat4u uses (no `mod=desktop`) with 200 and the same XML, so the answer is handed on as
 * a 301, which is what wechat4u waits for. Nothing else is changed.
 */
const asLoginRedirect = (response: Response): Response => {
  const isLoginPage =
    response.status === 200 &&
    /\/webwxnewloginpage\?/.test(response.config.url ?? "") &&
    typeof response.data === "string" &&
    response.data.includes("<ret>0</ret>")
  if (!isLoginPage) return response
  throw Object.assign(new Error("Request failed with status code 301"), {
    response: { ...response, status: 301 },
  })
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
    // Response interceptors run in the order they were added: this one before wechat4u's own.
    instance.interceptors.response.use(asLoginRedirect)
    return instance
  }
}
