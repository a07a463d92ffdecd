import { afterAll, assert, describe, it } from "vitest"
import { allRoutes } from "../src/endpoints/routes.js"
import type { Route } from "../src/http/Route.js"
import { startWorld } from "./support/fixtures.js"
import { baseRequest, qrLogin } from "./support/webClient.js"

const { sim, world } = await startWorld({ syncHoldMs: 200, loginPollHoldMs: 200 })
afterAll(() => sim.close())

const errors: Array<unknown> = []
world.events.on("handlerError", (error: unknown) => errors.push(error))

/** A host of the route's kind, the home of wxid_bot1 (wx2.qq.com). */
const HOST_OF_KIND: Record<Route["kind"], string> = {
  login: "login.wx.qq.com",
  api: "wx2.qq.com",
  file: "file.wx2.qq.com",
  webpush: "webpush.wx2.qq.com",
}

const client = await qrLogin(sim, "wxid_bot1")
const session = baseRequest(client)

/** Bodies a careless or hostile client might send, from no body to the right session with wrong fields. */
const BAD_BODIES: ReadonlyArray<string> = [
  "",
  "not json",
  "[]",
  "null",
  '{"BaseRequest":"x"}',
  JSON.stringify({ BaseRequest: { ...session, Uin: { nested: true } } }),
  JSON.stringify({
    BaseRequest: session,
    Msg: 5,
    List: "x",
    Count: "many",
    SyncKey: { Count: 1, List: [{ Key: "a", Val: null }] },
    UserName: 7,
    CmdId: "3",
    OP: "1",
    RemarkName: ["x"],
    Opcode: 3,
    VerifyUserList: [null, 1],
    MemberList: { UserName: 1 },
    MemberCount: -1,
    Topic: 5,
    NewTopic: {},
    ChatRoomName: 9,
    AddMemberList: [1],
    DelMemberList: 2,
    ClientMsgId: {},
    SvrMsgId: [],
    ToUserName: null,
    Code: "x",
    FileMd5: 1,
    FileSize: "big",
    FileName: {},
  }),
  JSON.stringify({ BaseRequest: session, Msg: { Type: "1", Content: {}, FromUserName: client.self, ToUserName: {} } }),
]

/** Query strings with wrong, odd or missing values for the parameters the GET endpoints read. */
const BAD_QUERIES: ReadonlyArray<string> = [
  "",
  "uuid=&tip=x&ticket=%zz&username=%&skey=x&sid=x&uin=x&synckey=1_x|y&MsgID=abc&type=slave&msgid=-1",
  `skey=${encodeURIComponent(client.skey)}&sid=${encodeURIComponent(client.sid)}&uin=${client.uin}&synckey=garbage&MsgID=99999999999999999999&msgid=1e3&username=@nobody&chatroomid=@@nobody&encryfilename=x&fromuser=0&mediaid=..%2F..&pass_ticket=x&webwx_data_ticket=x`,
]

describe("bad requests", () => {
  it("get an answer from every endpoint, never a 500 or a handler error", async () => {
    const statuses = new Map<string, Set<number>>()
    // Logout last: the valid session in the bad requests must live through the others.
    const isLogout = (route: Route) => Number(route.path.endsWith("/webwxlogout"))
    const routes = [...allRoutes].sort((a, b) => isLogout(a) - isLogout(b))
    for (const route of routes) {
      const path = route.path.endsWith("/") ? `${route.path}nothing` : route.path
      const url = `https://${HOST_OF_KIND[route.kind]}${path}`
      const attempts =
        route.method === "GET"
          ? BAD_QUERIES.map((query) => client.browser.request(`${url}?${query}`))
          : BAD_BODIES.flatMap((body) => [
              client.browser.request(`${url}?${BAD_QUERIES[2]}`, {
                method: "POST",
                body,
                headers: { "content-type": "application/json;charset=UTF-8" },
              }),
              client.browser.request(url, {
                method: "POST",
                body,
                headers: { "content-type": "multipart/form-data; boundary=nothing" },
              }),
            ])
      const seen = new Set<number>()
      for (const answer of await Promise.all(attempts)) seen.add(answer.status)
      statuses.set(`${route.method} ${route.kind} ${route.path}`, seen)
    }
    const failed = [...statuses].filter(([, seen]) => seen.has(500))
    assert.deepStrictEqual(failed, [])
    assert.deepStrictEqual(errors, [])
    // The session's own credentials went through (logout, last, ended it), and nothing bad was done with them.
    assert.isUndefined(world.account("wxid_bot1").session)
    assert.deepStrictEqual(
      world.account("wxid_bot1").activity.map((a) => a.type),
      ["logout"],
    )
  })

  it("get the JSON endpoints' own BaseResponse with a non-zero Ret", async () => {
    const jsonEndpoints = allRoutes.filter(
      (r) => r.kind === "api" && r.method === "POST" && !r.path.endsWith("/webwxlogout"),
    )
    for (const route of jsonEndpoints) {
      for (const body of ["not json", '{"BaseRequest":"x"}']) {
        const answer = await client.browser.request(`https://wx2.qq.com${route.path}`, {
          body,
          headers: { "content-type": "application/json;charset=UTF-8" },
        })
        assert.strictEqual(answer.status, 200, route.path)
        const parsed = JSON.parse(answer.text) as { BaseResponse?: { Ret?: unknown } }
        assert.isNumber(parsed.BaseResponse?.Ret, `${route.path}: ${answer.text}`)
        assert.notStrictEqual(parsed.BaseResponse?.Ret, 0, `${route.path}: ${answer.text}`)
      }
    }
    assert.deepStrictEqual(errors, [])
  })
})
