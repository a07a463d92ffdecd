import { request, type Dispatcher } from "undici"

const CGI = "/cgi-bin/mmwebwx-bin"
const APP_ID = "wx782c26e4c19acffb"

interface SyncKey {
  readonly Count: number
  readonly List: ReadonlyArray<{ readonly Key: number; readonly Val: number }>
}

export interface SynccheckAnswer {
  readonly retcode: string
  readonly selector: string
}

/** Playing the phone for a QR login; the simulator's control API in the benchmark. */
export type Phone = (account: string, uuid: string) => Promise<void>

/**
 * A minimal Web WeChat client for load: the official client's requests for login and sync, sent
 * through the simulator's upstream template. One account's requests all go to its home host and
 * that host's subdomains, so every cookie it was given is sent with each (no domain matching).
 */
export class WebClient {
  private readonly cookies = new Map<string, string>()
  private home = ""
  private sid = ""
  private skey = ""
  private uin = ""
  private passTicket = ""
  private self = ""
  private syncKey: SyncKey = { Count: 0, List: [] }
  private syncCheckKey: SyncKey = { Count: 0, List: [] }
  private readonly deviceId = "e" + String(Math.random()).slice(2, 17).padEnd(15, "0")

  constructor(
    readonly wxid: string,
    private readonly upstream: string,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** jslogin → the phone scans and confirms → login poll → webwxnewloginpage → webwxinit → webwxstatusnotify → webwxsync. */
  async login(phone: Phone): Promise<void> {
    const redirect = encodeURIComponent(`https://wx.qq.com${CGI}/webwxnewloginpage`)
    const js = await this.get(
      `https://login.wx.qq.com/jslogin?appid=${APP_ID}&redirect_uri=${redirect}&fun=new&lang=zh_CN&_=${Date.now()}`,
    )
    const uuid = match(/window\.QRLogin\.uuid = "([^"]+)";/, js, "jslogin")
    await phone(this.wxid, uuid)
    const poll = await this.get(
      `https://login.wx.qq.com${CGI}/login?loginicon=true&uuid=${encodeURIComponent(uuid)}&tip=1&r=${~Date.now()}&_=${Date.now()}`,
    )
    const loginPage = match(/window\.redirect_uri="([^"]+)";/, poll, "login poll")
    this.home = new URL(loginPage).hostname
    const xml = await this.get(`${loginPage}&fun=new&version=v2`)
    if (tag(xml, "ret") !== "0") throw new Error(`${this.wxid}: login refused: ${xml}`)
    this.skey = tag(xml, "skey")
    this.sid = tag(xml, "wxsid")
    this.uin = tag(xml, "wxuin")
    this.passTicket = tag(xml, "pass_ticket")

    const init = (await this.postJson(
      `https://${this.home}${CGI}/webwxinit?r=${~Date.now()}&pass_ticket=${this.passTicket}`,
      {
        BaseRequest: this.baseRequest(),
      },
    )) as { BaseResponse: { Ret: number }; SyncKey: SyncKey; User: { UserName: string } }
    if (init.BaseResponse.Ret !== 0)
      throw new Error(`${this.wxid}: webwxinit Ret ${init.BaseResponse.Ret}`)
    this.syncKey = init.SyncKey
    this.self = init.User.UserName
    await this.postJson(
      `https://${this.home}${CGI}/webwxstatusnotify?lang=zh_CN&pass_ticket=${this.passTicket}`,
      {
        BaseRequest: this.baseRequest(),
        Code: 3,
        FromUserName: this.self,
        ToUserName: this.self,
        ClientMsgId: Date.now(),
      },
    )
    await this.sync()
  }

  /** webwxsync; keeps the keys it answers, as the official client does (only when Count > 0). */
  async sync(): Promise<number> {
    const answer = (await this.postJson(
      `https://${this.home}${CGI}/webwxsync?sid=${encodeURIComponent(this.sid)}&skey=${encodeURIComponent(this.skey)}&lang=zh_CN&pass_ticket=${this.passTicket}`,
      { BaseRequest: this.baseRequest(), SyncKey: this.syncKey, rr: ~Date.now() },
    )) as {
      BaseResponse: { Ret: number }
      AddMsgCount: number
      SyncKey: SyncKey
      SyncCheckKey?: SyncKey
    }
    if (answer.BaseResponse.Ret !== 0)
      throw new Error(`${this.wxid}: webwxsync Ret ${answer.BaseResponse.Ret}`)
    if (answer.SyncKey.Count > 0) this.syncKey = answer.SyncKey
    if (answer.SyncCheckKey && answer.SyncCheckKey.Count > 0)
      this.syncCheckKey = answer.SyncCheckKey
    return answer.AddMsgCount
  }

  /** The synccheck long poll on the home's webpush host, with the key webwxsync last gave. */
  async synccheck(): Promise<SynccheckAnswer> {
    const key = (this.syncCheckKey.Count > 0 ? this.syncCheckKey : this.syncKey).List.map(
      (k) => `${k.Key}_${k.Val}`,
    ).join("|")
    const body = await this.get(
      `https://webpush.${this.home}${CGI}/synccheck?r=${Date.now()}&skey=${encodeURIComponent(this.skey)}&sid=${encodeURIComponent(this.sid)}` +
        `&uin=${this.uin}&deviceid=${this.deviceId}&synckey=${encodeURIComponent(key)}&_=${Date.now()}`,
    )
    const found = /^window\.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}$/.exec(body)
    if (!found) throw new Error(`${this.wxid}: bad synccheck answer ${body}`)
    return { retcode: found[1]!, selector: found[2]! }
  }

  private baseRequest() {
    return { Uin: Number(this.uin), Sid: this.sid, Skey: this.skey, DeviceID: this.deviceId }
  }

  private async get(url: string): Promise<string> {
    return this.send(url, { method: "GET" })
  }

  private async postJson(url: string, body: unknown): Promise<unknown> {
    return JSON.parse(
      await this.send(url, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json;charset=UTF-8" },
      }),
    )
  }

  private async send(
    url: string,
    options: { method: "GET" | "POST"; body?: string; headers?: Record<string, string> },
  ): Promise<string> {
    const real = new URL(url)
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ")
    const res = await request(`${this.upstream}/${real.host}${real.pathname}${real.search}`, {
      ...options,
      headers: { ...options.headers, ...(cookie ? { cookie } : {}) },
      dispatcher: this.dispatcher,
    })
    const setCookie = res.headers["set-cookie"]
    for (const line of typeof setCookie === "string" ? [setCookie] : (setCookie ?? [])) {
      const pair = line.slice(0, line.indexOf(";"))
      const eq = pair.indexOf("=")
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const text = await res.body.text()
    if (res.statusCode !== 200 && res.statusCode !== 301)
      throw new Error(`${this.wxid}: ${res.statusCode} from ${real.host}${real.pathname}`)
    return text
  }
}

const match = (pattern: RegExp, text: string, what: string): string => {
  const found = pattern.exec(text)?.[1]
  if (found === undefined) throw new Error(`unexpected ${what} answer: ${text.slice(0, 200)}`)
  return found
}

const tag = (xml: string, name: string): string =>
  match(new RegExp(`<${name}>([^<]*)</${name}>`), xml, `<${name}>`)
