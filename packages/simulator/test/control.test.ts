import { once } from "node:events"
import { afterAll, assert, describe, it } from "vitest"
import { Browser } from "./support/browser.js"
import { startWorld } from "./support/fixtures.js"
import {
  api,
  baseRequest,
  completeLogin,
  drain,
  jslogin,
  poll,
  qrLogin,
  synccheck,
  sync,
  type LoggedIn,
} from "./support/webClient.js"

const { sim, world, group } = await startWorld({ loginPollHoldMs: 300 })
afterAll(() => sim.close())

interface Answer {
  readonly status: number
  readonly json: Record<string, unknown> & { ok: boolean; error?: string }
}

/** One control call over real HTTP; a body that is a string is sent as is. */
const control = async (method: string, path: string, body?: unknown): Promise<Answer> => {
  const res = await fetch(`${sim.url}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  })
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/)
  return { status: res.status, json: (await res.json()) as Answer["json"] }
}

const ok = async (
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> => {
  const { status, json } = await control(method, path, body)
  assert.strictEqual(status, 200, json.error)
  assert.isTrue(json.ok)
  return json
}

const refused = async (
  status: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<string> => {
  const answer = await control(method, path, body)
  assert.strictEqual(answer.status, status, JSON.stringify(answer.json))
  assert.isFalse(answer.json.ok)
  assert.isString(answer.json.error)
  return answer.json.error!
}

/** webwxsendmsg of a text to a contact found by nickname in the client's init; answers Ret. */
const sendText = async (client: LoggedIn, nickName: string, text: string): Promise<number> => {
  const contacts = client.init["ContactList"] as Array<{ UserName: string; NickName: string }>
  const sent = await client.browser.postJson(api(client, "webwxsendmsg"), {
    BaseRequest: baseRequest(client),
    Msg: {
      Type: 1,
      Content: text,
      FromUserName: client.self,
      ToUserName: contacts.find((c) => c.NickName === nickName)!.UserName,
      LocalID: "1",
      ClientMsgId: "1",
    },
    Scene: 0,
  })
  return (JSON.parse(sent.text) as { BaseResponse: { Ret: number } }).BaseResponse.Ret
}

describe("routing and validation", () => {
  it("answers health with the world's size and this process", async () => {
    const health = await ok("GET", "/health")
    assert.strictEqual(health["pid"], process.pid)
    assert.strictEqual(health["upstream"], sim.upstream)
    assert.isAtLeast(health["accounts"] as number, 2)
  })

  it("answers 404 for an unknown endpoint and 405 for a wrong method", async () => {
    assert.include(await refused(404, "GET", "/nope"), "unknown control endpoint")
    await refused(405, "GET", "/say")
  })

  it("refuses bodies that are not JSON, miss fields or carry unknown ones, with the field named", async () => {
    assert.strictEqual(
      await refused(400, "POST", "/persons", "{not json"),
      "body is not valid JSON",
    )
    assert.include(await refused(400, "POST", "/persons", { wxid: "wxid_x" }), "nickName")
    assert.include(
      await refused(400, "POST", "/persons", { wxid: "wxid_x", nickname: "X" }),
      "nickname",
    )
    assert.include(
      await refused(400, "POST", "/accounts", {
        wxid: "wxid_y",
        nickName: "Y",
        home: "wx9.qq.com",
      }),
      "home",
    )
  })
})

describe("building the world", () => {
  it("creates accounts, refuses a duplicate, and shows an account's state", async () => {
    await ok("POST", "/persons", { persons: [{ wxid: "wxid_dave", nickName: "Dave" }] })
    const created = await ok("POST", "/accounts", {
      wxid: "wxid_new",
      nickName: "New",
      home: "wx8.qq.com",
      friends: ["wxid_dave"],
    })
    assert.deepStrictEqual(created["accounts"], ["wxid_new"])
    assert.include(
      await refused(409, "POST", "/accounts", { wxid: "wxid_new", nickName: "Again" }),
      "exists",
    )
    const { account } = (await ok("GET", "/accounts/wxid_new")) as {
      account: Record<string, unknown>
    }
    assert.strictEqual(account["home"], "wx8.qq.com")
    assert.strictEqual(account["loggedIn"], false)
    assert.include(account["friendList"] as Array<string>, "wxid_dave")
    assert.include(await refused(404, "GET", "/accounts/wxid_nobody"), "wxid_nobody")
  })

  it("creates a bulk fleet in chunks that share one pool of people", async () => {
    const before = world.persons.size
    const first = await ok("POST", "/accounts", {
      count: 30,
      prefix: "pool",
      friendsEach: 20,
      groupsEach: 2,
      poolSize: 50,
      home: "mixed",
    })
    assert.strictEqual((first["accounts"] as Array<string>).length, 30)
    assert.strictEqual(world.persons.size, before + 50 + 30)
    await ok("POST", "/accounts", {
      count: 10,
      prefix: "pool",
      start: 30,
      friendsEach: 20,
      groupsEach: 2,
      poolSize: 50,
    })
    assert.strictEqual(world.persons.size, before + 50 + 40, "the second chunk reuses the pool")
    const account = world.account("pool_31")
    assert.strictEqual(account.friends.size, 20 + 2)
    assert.strictEqual(account.groups.size, 2)
    assert.strictEqual(world.account("pool_1").home, "wx2.qq.com")
    assert.include(
      await refused(409, "POST", "/accounts", { count: 5, prefix: "pool", start: 38 }),
      "pool_38 exists",
    )
    assert.isFalse(world.accounts.has("pool_40"), "a refused chunk creates nothing")
    const page = await ok("GET", "/accounts?offset=2&limit=3")
    assert.strictEqual((page["accounts"] as Array<unknown>).length, 3)
    assert.strictEqual(page["total"], world.accounts.size)
  })

  it("befriends and creates groups", async () => {
    await ok("POST", "/friends", { account: "wxid_new", wxid: "wxid_alice", remarkName: "A" })
    assert.strictEqual(world.account("wxid_new").friends.get("wxid_alice")?.remarkName, "A")
    const { roomId } = (await ok("POST", "/groups", {
      topic: "Book club",
      owner: "wxid_new",
      members: ["wxid_alice", { wxid: "wxid_dave", displayName: "D" }],
    })) as {
      roomId: string
    }
    assert.match(roomId, /@chatroom$/)
    assert.deepStrictEqual(
      world.group(roomId).members.map((m) => m.wxid),
      ["wxid_new", "wxid_alice", "wxid_dave"],
    )
    assert.include(
      await refused(404, "POST", "/groups", {
        topic: "x",
        owner: "wxid_new",
        members: ["wxid_ghost"],
      }),
      "wxid_ghost",
    )
  })
})

describe("the phone", () => {
  it("lists pending QR codes and plays scan, confirm and logout", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    const { flows } = (await ok("GET", "/qr")) as { flows: Array<{ uuid: string; state: string }> }
    assert.deepInclude(
      flows.find((f) => f.uuid === uuid),
      { uuid, state: "waiting" },
    )
    await ok("POST", "/phone/wxid_bot1/scan", { uuid })
    assert.match(await poll(browser, uuid), /^window\.code=201;/)
    assert.include(
      await refused(409, "POST", "/phone/wxid_bot2/confirm", { uuid }),
      "belongs to wxid_bot1",
    )
    await ok("POST", "/phone/wxid_bot1/confirm", { uuid })
    const client = await completeLogin(browser, await poll(browser, uuid))
    const { account } = (await ok("GET", "/accounts/wxid_bot1")) as {
      account: Record<string, unknown>
    }
    assert.strictEqual(account["loggedIn"], true)
    assert.strictEqual(account["sessionHost"], "wx2.qq.com")

    assert.deepStrictEqual(await ok("POST", "/phone/wxid_bot1/logout", { code: 1102 }), {
      ok: true,
      ended: true,
      code: 1102,
    })
    assert.strictEqual((await synccheck(client)).retcode, "1102")
    await refused(400, "POST", "/phone/wxid_bot1/logout", { code: 42 })
  })

  it("cancels and expires QR codes, and refuses what is no longer pending", async () => {
    const browser = new Browser(sim.url)
    const cancelled = await jslogin(browser)
    await ok("POST", "/phone/wxid_bot2/cancel", { uuid: cancelled })
    assert.strictEqual(await poll(browser, cancelled), "window.code=202;")
    const expired = await jslogin(browser)
    const { flow } = (await ok("POST", `/qr/${encodeURIComponent(expired)}/expire`)) as {
      flow: { state: string }
    }
    assert.strictEqual(flow.state, "expired")
    assert.strictEqual(await poll(browser, expired), "window.code=400;")
    assert.include(
      await refused(409, "POST", "/phone/wxid_bot2/scan", { uuid: expired }),
      "expired",
    )
    await refused(404, "POST", "/phone/wxid_bot2/scan", { uuid: "missing==" })
  })

  it("scans the newest waiting QR code when no uuid is given", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    const { flow } = (await ok("POST", "/phone/wxid_bot2/scan", {})) as {
      flow: { uuid: string; account: string }
    }
    assert.deepStrictEqual([flow.uuid, flow.account], [uuid, "wxid_bot2"])
  })
})

describe("playing friends", () => {
  it("makes a friend say something, waking the account's held synccheck", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await drain(client)
    const held = once(world.events, "pollHeld")
    const pending = synccheck(client)
    await held
    const { msgId } = (await ok("POST", "/say", {
      from: "wxid_alice",
      to: "wxid_bot1",
      spec: { kind: "text", text: "hi there" },
    })) as {
      msgId: string
    }
    assert.strictEqual((await pending).selector, "2")
    const messages = await drain(client)
    assert.deepInclude(
      messages.map((m) => ({ MsgId: m["MsgId"], Content: m["Content"] })),
      { MsgId: msgId, Content: "hi there" },
    )
  })

  it("says a batch in order, answering each message's id or why it could not be said", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await drain(client)
    const { said } = (await ok("POST", "/say-batch", {
      messages: [
        { from: "wxid_alice", to: "wxid_bot1", spec: { kind: "text", text: "one" } },
        { from: "wxid_nobody_a", to: "wxid_nobody_b", spec: { kind: "text", text: "lost" } },
        { from: "wxid_alice", to: "wxid_bot1", spec: { kind: "text", text: "two" } },
      ],
    })) as { said: Array<{ msgId?: string; error?: string }> }
    assert.strictEqual(said.length, 3)
    assert.isString(said[0]?.msgId)
    assert.isString(said[1]?.error)
    assert.isString(said[2]?.msgId)
    const texts = (await drain(client)).map((m) => m["Content"])
    assert.includeOrderedMembers(texts as Array<string>, ["one", "two"])
  })

  it("refuses a batch over the limit or with a bad message", async () => {
    const message = { from: "wxid_alice", to: "wxid_bot1", spec: { kind: "text", text: "x" } }
    await refused(400, "POST", "/say-batch", { messages: Array.from({ length: 1_001 }, () => message) })
    await refused(400, "POST", "/say-batch", { messages: [message, { ...message, spec: { kind: "text" } }] })
  })

  it("refuses a message spec that misses a field or has an unknown kind", async () => {
    assert.include(
      await refused(400, "POST", "/say", {
        from: "wxid_alice",
        to: "wxid_bot1",
        spec: { kind: "text" },
      }),
      "text",
    )
    await refused(400, "POST", "/say", {
      from: "wxid_alice",
      to: "wxid_bot1",
      spec: { kind: "hologram" },
    })
    assert.include(
      await refused(409, "POST", "/say", {
        from: "wxid_alice",
        to: "wxid_carol",
        spec: { kind: "text", text: "x" },
      }),
      "fleet account",
    )
  })

  it("sends friend requests and changes groups", async () => {
    const { ticket } = (await ok("POST", "/friend-requests", {
      stranger: "wxid_carol",
      account: "wxid_bot2",
      greeting: "hello",
    })) as {
      ticket: string
    }
    assert.match(ticket, /@stranger$/)
    await ok("POST", `/groups/${group.roomId}/rename`, {
      by: "wxid_alice",
      topic: "Mountain people",
    })
    assert.strictEqual(world.group(group.roomId).topic, "Mountain people")
    await ok("POST", `/groups/${group.roomId}/join`, {
      inviter: "wxid_bot1",
      members: ["wxid_bob"],
    })
    await ok("POST", `/groups/${group.roomId}/remove`, { by: "wxid_bot1", member: "wxid_bob" })
    await ok("POST", `/groups/${group.roomId}/leave`, { member: "wxid_carol" })
    assert.notInclude(
      world.group(group.roomId).members.map((m) => m.wxid),
      "wxid_carol",
    )
    assert.include(
      await refused(409, "POST", `/groups/${group.roomId}/leave`, { member: "wxid_carol" }),
      "not a member",
    )
    await refused(400, "POST", `/groups/${group.roomId}/join`, {
      inviter: "wxid_bot1",
      members: [],
    })
  })
})

describe("faults", () => {
  it("takes a host down, resetting its connections, and up again; refuses a host it does not serve", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    const webpush = `webpush.${client.home}`
    world.say("wxid_alice", "wxid_bot1", { MsgType: 1, Content: "pending" })
    await ok("POST", `/faults/hosts/${webpush}/down`)
    await assertRejects(synccheck(client), /fetch failed/)
    await ok("POST", `/faults/hosts/${webpush}/up`)
    assert.strictEqual((await synccheck(client)).selector, "2")
    assert.include(await refused(400, "POST", "/faults/hosts/example.com/down"), "unknown host")
  })

  it("delays a host's answers, or every host's, until the latency is set to 0", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    const timed = async (request: Promise<unknown>): Promise<number> => {
      const started = Date.now()
      await request
      return Date.now() - started
    }
    await ok("POST", "/faults/latency", { host: client.home, ms: 150 })
    assert.isAtLeast(await timed(sync(client)), 140)
    await ok("POST", "/faults/latency", { host: client.home, ms: 0 })
    await ok("POST", "/faults/latency", { host: "*", ms: 150 })
    assert.isAtLeast(await timed(jslogin(new Browser(sim.url))), 140)
    await ok("POST", "/faults/latency", { host: "*", ms: 0 })
    assert.strictEqual(sim.faults.latencyFor(client.home), 0)
    assert.include(await refused(400, "POST", "/faults/latency", { host: "example.com", ms: 5 }), "unknown host")
  })

  it("answers sends with 1205 once N were accepted, until the limit is removed", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await ok("POST", "/faults/rate-limit", { account: "wxid_bot1", after: 1 })
    assert.deepStrictEqual(
      [await sendText(client, "Bob", "one"), await sendText(client, "Bob", "two")],
      [0, 1205],
    )
    const { account } = (await ok("GET", "/accounts/wxid_bot1")) as { account: Record<string, unknown> }
    assert.strictEqual(account["sendsBeforeRateLimit"], 0)
    await ok("POST", "/faults/rate-limit", { account: "wxid_bot1", after: null })
    assert.strictEqual(await sendText(client, "Bob", "three"), 0)
    await refused(404, "POST", "/faults/rate-limit", { account: "wxid_nobody", after: 1 })
  })

  it("answers synccheck with retcode 1205, a held poll at once, as many times as told", async () => {
    const client = await qrLogin(sim, "wxid_bot2")
    await drain(client)
    const held = once(world.events, "pollHeld")
    const pending = synccheck(client)
    await held
    await ok("POST", "/faults/synccheck-rate-limit", { account: "wxid_bot2", count: 2 })
    assert.strictEqual((await pending).raw, `window.synccheck={retcode:"1205",selector:"0"}`)
    assert.strictEqual((await synccheck(client)).retcode, "1205")
    world.say("wxid_bot1", "wxid_bot2", { MsgType: 1, Content: "after the block" })
    assert.deepInclude(await synccheck(client), { retcode: "0", selector: "2" })
    assert.strictEqual((await sync(client)).body.BaseResponse.Ret, 0, "the session survives")
    await refused(400, "POST", "/faults/synccheck-rate-limit", { account: "wxid_bot2", count: -1 })
  })

  it("answers webwxsync 1205 with nothing in it and nothing confirmed, then the batch", async () => {
    const client = await qrLogin(sim, "wxid_bot2")
    await drain(client)
    world.say("wxid_bot1", "wxid_bot2", { MsgType: 1, Content: "held back" })
    await ok("POST", "/faults/sync-rate-limit", { account: "wxid_bot2", count: 1 })
    const { account } = (await ok("GET", "/accounts/wxid_bot2")) as { account: { rateLimitedSyncs: number; acknowledged: number } }
    assert.strictEqual(account.rateLimitedSyncs, 1)
    const blocked = (await sync(client)).body
    assert.strictEqual(blocked.BaseResponse.Ret, 1205)
    assert.strictEqual(blocked.AddMsgCount, 0)
    const after = (await ok("GET", "/accounts/wxid_bot2")) as { account: { rateLimitedSyncs: number; acknowledged: number } }
    assert.deepEqual([after.account.rateLimitedSyncs, after.account.acknowledged], [0, account.acknowledged])
    const next = (await sync(client)).body
    assert.strictEqual(next.BaseResponse.Ret, 0)
    assert.include(JSON.stringify(next.AddMsgList), "held back")
    await refused(400, "POST", "/faults/sync-rate-limit", { account: "wxid_bot2", count: -1 })
  })

  it("breaks the next answers on a path: truncated, an HTML error page, or empty", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await drain(client)
    const rawSync = async () =>
      (
        await client.browser.postJson(api(client, "webwxsync", `sid=${encodeURIComponent(client.sid)}`), {
          BaseRequest: baseRequest(client),
          SyncKey: client.syncKey,
          rr: 1,
        })
      ).text
    await ok("POST", "/faults/malformed", { host: client.home, path: "/webwxsync", kind: "truncated" })
    const truncated = await rawSync()
    assert.match(truncated, /^\{\s*"BaseResponse"/)
    assert.throws(() => JSON.parse(truncated) as unknown)
    await ok("POST", "/faults/malformed", { path: "/webwxsync", kind: "html", count: 2 })
    assert.match(await rawSync(), /^<html>.*502 Bad Gateway/)
    assert.match(await rawSync(), /^<html>/)
    await ok("POST", "/faults/malformed", { path: "/webwxsync", kind: "empty" })
    assert.strictEqual(await rawSync(), "")
    assert.strictEqual((await sync(client)).body.BaseResponse.Ret, 0, "answers are whole again")
    await ok("POST", "/faults/malformed", {
      host: "webpush.wx2.qq.com",
      path: "/synccheck",
      kind: "html",
    })
    world.say("wxid_alice", "wxid_bot1", { MsgType: 1, Content: "x" })
    await assertRejects(synccheck(client), /bad synccheck body <html>/)
  })

  it("clears every fault at once", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await ok("POST", "/faults/hosts/file.wx.qq.com/down")
    await ok("POST", "/faults/latency", { host: "*", ms: 5 })
    await ok("POST", "/faults/rate-limit", { account: "wxid_bot1", after: 0 })
    await ok("POST", "/faults/synccheck-rate-limit", { account: "wxid_bot1", count: 5 })
    await ok("POST", "/faults/sync-rate-limit", { account: "wxid_bot1", count: 5 })
    await ok("POST", "/faults/malformed", { path: "/webwxsync", count: 5 })
    await ok("POST", "/faults/clear")
    assert.isFalse(sim.faults.isDown("file.wx.qq.com"))
    assert.strictEqual(sim.faults.latencyFor(client.home), 0)
    assert.strictEqual(await sendText(client, "Bob", "free again"), 0)
    assert.strictEqual((await synccheck(client)).retcode, "0")
    assert.strictEqual((await sync(client)).body.BaseResponse.Ret, 0)
  })

  it("cuts held long polls", async () => {
    const client = await qrLogin(sim, "wxid_bot2")
    await drain(client)
    const held = once(world.events, "pollHeld")
    const pending = synccheck(client)
    await held
    assert.deepStrictEqual(await ok("POST", "/faults/drop-long-polls", { account: "wxid_bot2" }), {
      ok: true,
      dropped: 1,
    })
    await assertRejects(pending)
  })
})

describe("inspection and events", () => {
  it("lists an account's activity by type from an index, and waits for new events", async () => {
    const client = await qrLogin(sim, "wxid_bot1")
    await drain(client)
    const { latestEvent } = (await ok("GET", "/health")) as { latestEvent: number }
    const waiting = ok(
      "GET",
      `/events?since=${latestEvent}&types=sent&account=wxid_bot1&timeout=5000`,
    )
    assert.strictEqual(await sendText(client, "Bob", "to bob"), 0)
    const { events, next } = (await waiting) as {
      events: Array<Record<string, unknown>>
      next: number
    }
    assert.strictEqual(events.length, 1)
    assert.deepInclude(events[0], { type: "sent", account: "wxid_bot1" })
    assert.strictEqual((events[0]!["activity"] as { content: string }).content, "to bob")

    const log = (await ok("GET", "/accounts/wxid_bot1/activity?type=sent")) as {
      activity: Array<Record<string, unknown>>
      next: number
    }
    const last = log.activity[log.activity.length - 1]!
    assert.deepInclude(last, { type: "sent", content: "to bob" })
    const after = await ok("GET", `/accounts/wxid_bot1/activity?type=sent&since=${log.next}`)
    assert.deepStrictEqual(after["activity"], [])

    const quiet = (await ok(
      "GET",
      `/events?since=${next}&types=sent&account=wxid_bot1&timeout=100`,
    )) as { events: Array<unknown>; next: number }
    assert.deepStrictEqual(quiet.events, [])
    assert.isAtLeast(quiet.next, next)
    await sync(client)
  })

  it("announces new QR codes to a waiting reader", async () => {
    const { latestEvent } = (await ok("GET", "/health")) as { latestEvent: number }
    const waiting = ok("GET", `/events?since=${latestEvent}&types=qr&timeout=5000`)
    const uuid = await jslogin(new Browser(sim.url))
    const { events } = (await waiting) as { events: Array<Record<string, unknown>> }
    assert.deepInclude(events[0], { type: "qr", uuid })
    await refused(400, "GET", "/events?timeout=-1")
  })
})

const assertRejects = async (promise: Promise<unknown>, pattern?: RegExp): Promise<void> => {
  try {
    await promise
  } catch (error) {
    if (pattern) assert.match(String(error), pattern)
    return
  }
  assert.fail("expected a rejection")
}

describe("the serving process", () => {
  it("says how late its event loop ran since the last reading, and its memory", async () => {
    type Reading = {
      samples: number
      eventLoopDelayMs: { p50: number; p99: number; max: number }
      heapUsedMb: number
      rssMb: number
      calls: Record<string, number>
    }
    await ok("POST", "/process/event-loop") // what came before is not this test's
    // The simulator serves from this process: hold its event loop for 200 ms.
    const until = performance.now() + 200
    while (performance.now() < until) {
      // busy on purpose
    }
    const stalled = (await ok("POST", "/process/event-loop")) as unknown as Reading
    assert.isAtLeast(stalled.eventLoopDelayMs.max, 150)
    assert.isAtLeast(stalled.eventLoopDelayMs.max, stalled.eventLoopDelayMs.p99)
    assert.isAbove(stalled.heapUsedMb, 1)
    assert.isAtLeast(stalled.rssMb, stalled.heapUsedMb)
    // Each reading restarts it: the stall is not reported twice.
    const after = (await ok("POST", "/process/event-loop")) as unknown as Reading
    assert.isBelow(after.eventLoopDelayMs.max, 150)
    await refused(405, "GET", "/process/event-loop")
  })

  it("counts the protocol calls it answered since the last reading, by endpoint", async () => {
    await ok("POST", "/process/event-loop")
    const browser = new Browser(sim.url)
    await jslogin(browser)
    await jslogin(browser)
    const { calls } = (await ok("POST", "/process/event-loop")) as unknown as { calls: Record<string, number> }
    // Control calls (the readings themselves) are not protocol calls.
    assert.deepEqual(calls, { jslogin: 2 })
    const { calls: next } = (await ok("POST", "/process/event-loop")) as unknown as { calls: Record<string, number> }
    assert.deepEqual(next, {})
  })
})
