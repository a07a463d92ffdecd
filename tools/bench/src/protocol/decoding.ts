import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  CookieJar,
  Messages,
  ProtocolConfig,
  Transport,
  Upstream,
  WebwxSync,
  WxSession,
} from "@wxfleet/protocol"
import { Effect, Either, Layer, ManagedRuntime } from "effect"
import { median } from "../stats.js"
import type { Corpus } from "./corpus.js"
import { parseServerJson } from "@wxfleet/protocol"

/** A rate over the timed rounds: their median and their spread. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  /** Each timed round's rate, in the order they ran. */
  readonly rounds: ReadonlyArray<number>
}

/** One measure's rates: per second of wall time, and per second of this process's CPU time. */
export interface Rates {
  /** Messages per second of wall time. */
  readonly wall: Spread
  /**
   * Messages per CPU second (user + system of the whole process): what a core that does nothing
   * else would reach, so it holds when other work shares the machine.
   */
  readonly cpu: Spread
}

export interface DecodingOptions {
  /** Messages each round decodes (rounded up to whole webwxsync answers). */
  readonly messages: number
  /** Timed rounds of each measure. */
  readonly rounds: number
  /** Untimed rounds first, so the JIT has compiled the decoder. */
  readonly warmupRounds: number
}

export interface DecodingFigures {
  readonly corpus: string
  /** Distinct entries captured from the simulator (reused round after round). */
  readonly uniqueMessages: number
  readonly answers: number
  readonly meanAnswerBytes: number
  /** What the entries decode to. */
  readonly tags: Readonly<Record<string, number>>
  readonly messagesPerRound: number
  /** Messages each measure decoded in a round: equals `messagesPerRound` when nothing was lost. */
  readonly decodedPerRound: {
    readonly decode: number
    readonly parseAndDecode: number
    readonly clientPath: number
  }
  /** `Messages.decodeBatch` over parsed `AddMsgList`s. */
  readonly decode: Rates
  /** `parseServerJson` on the answer's body, then `Messages.decodeBatch`. */
  readonly parseAndDecode: Rates
  /**
   * Messages/s of the whole client path of a batch, only the network left out: `WebwxSync.webwxsync`
   * (request, cookies, deadline, parse, `BaseResponse` check, answer schema) answered from memory,
   * `decodeBatch`, `commitKeys`.
   */
  readonly clientPath: Rates
}

/** The answers one round goes through, cycling over the corpus, enough for `messages`. */
const roundPlan = (corpus: Corpus, messages: number): ReadonlyArray<number> => {
  const plan: Array<number> = []
  for (let total = 0; total < messages;) {
    const index = plan.length % corpus.batches.length
    plan.push(index)
    total += corpus.batches[index]!.length
  }
  return plan
}

const spreadOf = (rates: ReadonlyArray<number>): Spread => ({
  median: median(rates),
  min: Math.min(...rates),
  max: Math.max(...rates),
  rounds: rates,
})

/** Runs `round` untimed, then timed; each round returns how many messages it decoded. */
const timeRounds = async (
  options: DecodingOptions,
  round: () => number | Promise<number>,
): Promise<{ rates: Rates; decoded: number }> => {
  let decoded = 0
  for (let i = 0; i < options.warmupRounds; i++) decoded = await round()
  const perWallSecond: Array<number> = []
  const perCpuSecond: Array<number> = []
  for (let i = 0; i < options.rounds; i++) {
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    decoded = await round()
    const wallSeconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    perWallSecond.push(decoded / wallSeconds)
    perCpuSecond.push(decoded / ((cpu.user + cpu.system) / 1e6))
  }
  return { rates: { wall: spreadOf(perWallSecond), cpu: spreadOf(perCpuSecond) }, decoded }
}

const addMsgList = (body: string): ReadonlyArray<unknown> => {
  const parsed = parseServerJson(body)
  if (Either.isLeft(parsed)) throw new Error(`a captured answer does not parse: ${parsed.left}`)
  return (parsed.right as { readonly AddMsgList: ReadonlyArray<unknown> }).AddMsgList
}

/**
 * The protocol client whose HTTP answers each request with `answer()`, from memory: bytes, as a
 * network delivers them, so encoding the text is not counted as the client's work.
 */
const memoryClient = (answer: () => Uint8Array) => {
  const http = HttpClient.make((request) =>
    Effect.sync(() =>
      HttpClientResponse.fromWeb(
        request,
        new Response(answer(), { headers: { "content-type": "text/plain" } }),
      ),
    ),
  )
  return ManagedRuntime.make(
    Layer.mergeAll(Transport.Default, ProtocolConfig.layer()).pipe(
      Layer.provide(Layer.mergeAll(Layer.succeed(HttpClient.HttpClient, http), Upstream.layer())),
    ),
  )
}

/** A logged-in session as webwxinit leaves it; the memory client never checks its keys. */
const benchSession = (selfUserName: string): Effect.Effect<WxSession> =>
  WxSession.make({
    jar: CookieJar.empty(),
    desktop: false,
    data: {
      uin: "1000000000",
      sid: "bench-sid",
      skey: "@crypt_bench",
      passTicket: "bench",
      home: "wx2.qq.com",
      webpushHost: "webpush.wx2.qq.com",
      syncKey: { Count: 1, List: [{ Key: 1, Val: 1 }] },
      syncCheckKey: undefined,
      self: { userName: selfUserName, nickName: "Bench Bot" },
    },
  })

/**
 * Decoding throughput over one corpus, on this thread: the decoder alone, the JSON parse of the
 * answer plus the decoder, and the client's whole handling of a webwxsync answer.
 */
export const measureDecoding = async (
  corpus: Corpus,
  options: DecodingOptions,
): Promise<DecodingFigures> => {
  if (corpus.batches.length === 0) throw new Error(`the ${corpus.name} corpus is empty`)
  const plan = roundPlan(corpus, options.messages)
  const messagesPerRound = plan.reduce((sum, index) => sum + corpus.batches[index]!.length, 0)
  const context = corpus.context

  const decode = await timeRounds(options, () => {
    let decoded = 0
    for (const index of plan)
      decoded += Messages.decodeBatch(corpus.batches[index]!, context).length
    return decoded
  })

  const parseAndDecode = await timeRounds(options, () => {
    let decoded = 0
    for (const index of plan)
      decoded += Messages.decodeBatch(addMsgList(corpus.bodies[index]!), context).length
    return decoded
  })

  let next = 0
  const encoder = new TextEncoder()
  const wire = corpus.bodies.map((body) => encoder.encode(body))
  const runtime = memoryClient(() => wire[plan[next++ % plan.length]!]!)
  try {
    const session = await runtime.runPromise(benchSession(context.selfUserName))
    const clientRound = Effect.gen(function* () {
      let decoded = 0
      for (let call = 0; call < plan.length; call++) {
        const batch = yield* WebwxSync.webwxsync(session)
        decoded += Messages.decodeBatch(batch.addMsgList, context).length
        yield* WebwxSync.commitKeys(session, batch)
      }
      return decoded
    })
    const clientPath = await timeRounds(options, () => {
      next = 0
      return runtime.runPromise(clientRound)
    })
    const bytes = corpus.bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0)
    return {
      corpus: corpus.name,
      uniqueMessages: corpus.messages,
      answers: corpus.bodies.length,
      meanAnswerBytes: bytes / corpus.bodies.length,
      tags: corpus.tags,
      messagesPerRound,
      decodedPerRound: {
        decode: decode.decoded,
        parseAndDecode: parseAndDecode.decoded,
        clientPath: clientPath.decoded,
      },
      decode: decode.rates,
      parseAndDecode: parseAndDecode.rates,
      clientPath: clientPath.rates,
    }
  } finally {
    await runtime.dispose()
  }
}
