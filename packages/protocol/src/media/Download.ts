import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Data, Duration, Effect, Option, Sink, Stream } from "effect"
import { RequestTimeout, type HttpFailure } from "../Errors.js"
import { CGI } from "../http/call.js"
import { Transport } from "../http/Transport.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { retryRead } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"

/**
 * The media host answered 200 with an empty body, which is how it refuses a session it no
 * longer accepts (skey, cookies or data ticket): a new login is needed.
 */
export class MediaRefused extends Data.TaggedError("MediaRefused")<{
  readonly endpoint: string
  readonly host: string
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: empty answer, the session was not accepted`
  }
}

export type DownloadError = HttpFailure | MediaRefused

/** Bytes `start` to `end` (inclusive, as in HTTP; to the end of the file when absent). */
export interface ByteRange {
  readonly start: number
  readonly end?: number
}

interface Download {
  readonly endpoint: string
  readonly url: string
  readonly range?: ByteRange
}

/**
 * A GET whose body is streamed, never held whole. Failures are retried (transient ones, with
 * idempotentRead) only until the first byte arrived, since bytes already emitted cannot be
 * taken back; an empty body fails with MediaRefused instead of yielding nothing.
 */
const download = (
  session: WxSession,
  target: Download,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const transport = yield* Transport
      const config = yield* ProtocolConfig
      const host = new URL(target.url).host
      const range = target.range && `bytes=${target.range.start}-${target.range.end ?? ""}`
      const response = transport.stream(HttpClientRequest.get(target.url), {
        endpoint: target.endpoint,
        jar: session.jar,
        timeout: config.mediaTimeout,
        desktop: session.desktop,
        ...(range === undefined ? {} : { headers: { range }, acceptStatus: [206] }),
      })
      return yield* response.pipe(
        Effect.flatMap(({ body }) =>
          Stream.peel(
            Stream.filter(body, (bytes) => bytes.length > 0),
            Sink.head<Uint8Array>(),
          ),
        ),
        // Transport's deadline covers the headers; this one covers the wait for the first byte.
        Effect.timeoutFail({
          duration: config.mediaTimeout,
          onTimeout: () =>
            new RequestTimeout({
              endpoint: target.endpoint,
              host,
              timeoutMs: Duration.toMillis(config.mediaTimeout),
            }),
        }),
        Effect.flatMap(([first, rest]) =>
          Option.match(first, {
            onNone: () => Effect.fail(new MediaRefused({ endpoint: target.endpoint, host })),
            onSome: (bytes) => Effect.succeed(Stream.concat(Stream.make(bytes), rest)),
          }),
        ),
        retryRead,
      )
    }),
  )

/** A GET on the home host's CGI with the session's skey. */
const homeDownload = (
  session: WxSession,
  endpoint: string,
  query: Readonly<Record<string, string>>,
  range?: ByteRange,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  Stream.unwrap(
    Effect.map(session.data.get, (data) => {
      const params = Object.entries({ ...query, skey: data.skey })
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
        .join("&")
      const url = `https://${data.home}${CGI}/${endpoint}?${params}`
      return download(session, { endpoint, url, ...(range === undefined ? {} : { range }) })
    }),
  )

/** webwxgetmsgimg: a message's image (or sticker) by its MsgId, or its thumbnail (`type=slave`). */
export const messageImage = (
  session: WxSession,
  msgId: string,
  options: { readonly thumbnail?: boolean } = {},
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  homeDownload(session, "webwxgetmsgimg", {
    MsgID: msgId,
    ...(options.thumbnail ? { type: "slave" } : {}),
  })

/** webwxgetvoice: a voice message's audio (mp3) by its MsgId. */
export const voice = (
  session: WxSession,
  msgId: string,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  homeDownload(session, "webwxgetvoice", { msgid: msgId })

/** webwxgetvideo: a video message's mp4 by its MsgId, from `Range: bytes=0-` as the clients ask, or a part of it. */
export const video = (
  session: WxSession,
  msgId: string,
  range: ByteRange = { start: 0 },
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  homeDownload(session, "webwxgetvideo", { msgid: msgId }, range)

/** What an attachment message (AppMsgType 6) names its file by, as received. */
export interface Attachment {
  /** The message's FromUserName. */
  readonly sender: string
  readonly mediaId: string
  /** As the server gave it (already percent-encoded). */
  readonly encryFileName: string
}

/**
 * webwxgetmedia on the file host: an attachment, authorised by the cookies and the data ticket;
 * pass_ticket is encoded once more, as the official client does.
 */
export const file = (
  session: WxSession,
  attachment: Attachment,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  Stream.unwrap(
    Effect.map(session.data.get, (data) =>
      download(session, {
        endpoint: "webwxgetmedia",
        url:
          `https://${session.hosts.file}${CGI}/webwxgetmedia?sender=${encodeURIComponent(attachment.sender)}` +
          `&mediaid=${encodeURIComponent(attachment.mediaId)}&encryfilename=${attachment.encryFileName}` +
          `&fromuser=${data.uin}&pass_ticket=${encodeURIComponent(data.passTicket)}` +
          `&webwx_data_ticket=${encodeURIComponent(session.dataTicket() ?? "")}`,
      }),
    ),
  )

/** A contact's avatar from its `HeadImgUrl` as the server gave it (webwxgeticon; a group's names webwxgetheadimg). */
export const contactAvatar = (
  session: WxSession,
  headImgUrl: string,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  Stream.unwrap(
    Effect.map(session.data.get, (data) => {
      const url = new URL(headImgUrl, `https://${data.home}`)
      return download(session, { endpoint: url.pathname.split("/").at(-1) ?? "", url: url.href })
    }),
  )

/** webwxgetheadimg: a group's avatar by the group's UserName. */
export const groupAvatar = (
  session: WxSession,
  roomUserName: string,
): Stream.Stream<Uint8Array, DownloadError, Transport | ProtocolConfig> =>
  homeDownload(session, "webwxgetheadimg", { username: roomUserName })
