import { Effect, Schema } from "effect"
import type { SessionCallError } from "../Errors.js"
import { postJson, postJsonAs } from "../http/call.js"
import type { Transport } from "../http/Transport.js"
import { clientMsgId } from "../Ids.js"
import type { ProtocolConfig } from "../ProtocolConfig.js"
import { resendIfUnsent } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"
import {
  extensionOf,
  uploadMedia,
  type MediaFile,
  type UploadedMedia,
  type UploadError,
} from "./Upload.js"

/** A message this session sent: what revoking it needs. */
export interface SentMessage {
  /** The server's id (`MsgID` of the answer), the `MsgId` recipients see. */
  readonly msgId: string
  /** The client's id (LocalID = ClientMsgId). */
  readonly localId: string
}

/** A file to upload and send, or one uploaded earlier (send it again without a new upload). */
export type Media<E = never, R = never> = MediaFile<E, R> | UploadedMedia

/** The AppID the web client puts into the files it sends; desktop mode sends none. */
const WEB_APP_ID = "wxeb7ec651dd0aefa9"

const SendAnswer = Schema.Struct({ MsgID: Schema.String, LocalID: Schema.String })

/** `SendAnswer`'s well-formed case by hand (anything else goes to the Schema, which words the error). */
const plainSendAnswer = (json: Record<string, unknown>): typeof SendAnswer.Type | undefined => {
  const { MsgID, LocalID } = json
  return typeof MsgID === "string" && typeof LocalID === "string" ? { MsgID, LocalID } : undefined
}

/**
 * One send: `Msg` gets the official trailing keys (FromUserName, ToUserName, LocalID,
 * ClientMsgId), the body ends with `Scene: 0`. Retried only while the request surely never
 * reached the server: a repeated send would be a second message.
 */
const send = (
  session: WxSession,
  endpoint: string,
  query: Readonly<Record<string, string>>,
  to: string,
  msg: Readonly<Record<string, unknown>>,
): Effect.Effect<SentMessage, SessionCallError, Transport | ProtocolConfig> =>
  // Steps rather than a generator: sends are a fleet's commonest command.
  Effect.flatMap(session.selfUserName(), (self) => {
    const localId = clientMsgId()
    const Msg = { ...msg, FromUserName: self, ToUserName: to, LocalID: localId, ClientMsgId: localId }
    return Effect.map(
      resendIfUnsent(postJsonAs(session, { endpoint, query, body: { Msg, Scene: 0 } }, SendAnswer, plainSendAnswer)),
      (answer): SentMessage => ({ msgId: answer.MsgID, localId }),
    )
  })

const ASYNC_JSON = { fun: "async", f: "json" } as const

export interface TextOptions {
  /**
   * UserNames @-mentioned in a group; the official client lists them in `MsgSource`. The text
   * itself should carry `@<display name>` followed by U+2005 for each.
   */
  readonly mentions?: ReadonlyArray<string>
}

/** webwxsendmsg: a text (real line breaks, no escaping) to a contact or a group. */
export const sendText = (
  session: WxSession,
  to: string,
  text: string,
  options: TextOptions = {},
): Effect.Effect<SentMessage, SessionCallError, Transport | ProtocolConfig> =>
  send(session, "webwxsendmsg", { lang: "zh_CN" }, to, {
    Type: 1,
    Content: text,
    ...(options.mentions?.length
      ? {
          MsgSource:
            `<msgsource><atusername>${options.mentions.join(",")}</atusername>` +
            `<atchatroomname>${to}</atchatroomname></msgsource>`,
        }
      : {}),
  })

/** The media as uploaded: uploads a file, passes an earlier upload through. */
const uploaded = <E, R>(
  session: WxSession,
  to: string,
  media: Media<E, R>,
): Effect.Effect<UploadedMedia, UploadError | E, Transport | ProtocolConfig | R> =>
  "mediaId" in media ? Effect.succeed(media) : uploadMedia(session, { ...media, to })

/** Uploads (unless given an earlier upload) then sends the media by its MediaId alone. */
const sendByMediaId = <E, R>(
  session: WxSession,
  to: string,
  media: Media<E, R>,
  via: { readonly endpoint: string; readonly type: number },
): Effect.Effect<SentMessage, UploadError | E, Transport | ProtocolConfig | R> =>
  Effect.flatMap(uploaded(session, to, media), (upload) =>
    send(session, via.endpoint, ASYNC_JSON, to, {
      Type: via.type,
      MediaId: upload.mediaId,
      Content: "",
    }),
  )

/** Uploads (unless given an earlier upload) then sends with webwxsendmsgimg. */
export const sendImage = <E = never, R = never>(
  session: WxSession,
  to: string,
  image: Media<E, R>,
): Effect.Effect<SentMessage, UploadError | E, Transport | ProtocolConfig | R> =>
  sendByMediaId(session, to, image, { endpoint: "webwxsendmsgimg", type: 3 })

/** Uploads (unless given an earlier upload) then sends with webwxsendvideomsg. */
export const sendVideo = <E = never, R = never>(
  session: WxSession,
  to: string,
  video: Media<E, R>,
): Effect.Effect<SentMessage, UploadError | E, Transport | ProtocolConfig | R> =>
  sendByMediaId(session, to, video, { endpoint: "webwxsendvideomsg", type: 43 })

/** Text inside the appmsg XML: the characters XML reserves. */
const xmlText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** The official attachment appmsg: single-quoted attributes, no whitespace, no outer `<msg>`. */
const attachmentXml = (media: UploadedMedia, desktop: boolean): string =>
  `<appmsg appid='${desktop ? "" : WEB_APP_ID}' sdkver=''><title>${xmlText(media.fileName)}</title>` +
  `<des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl>` +
  `<appattach><totallen>${media.size}</totallen><attachid>${media.mediaId}</attachid>` +
  `<fileext>${xmlText(extensionOf(media.fileName))}</fileext></appattach><extinfo></extinfo></appmsg>`

/** Uploads (unless given an earlier upload) then sends a file attachment with webwxsendappmsg. */
export const sendFile = <E = never, R = never>(
  session: WxSession,
  to: string,
  file: Media<E, R>,
): Effect.Effect<SentMessage, UploadError | E, Transport | ProtocolConfig | R> =>
  Effect.flatMap(uploaded(session, to, file), (media) =>
    send(session, "webwxsendappmsg", ASYNC_JSON, to, {
      ...(media.signature === undefined ? {} : { Signature: media.signature }),
      Type: 6,
      Content: attachmentXml(media, session.desktop),
    }),
  )

/** A sticker: one the server knows by its md5, or a (gif) file to upload. */
export type Emoticon<E = never, R = never> = { readonly md5: string } | Media<E, R>

/** webwxsendemoticon (EmojiFlag 2, gif): by md5, or by the MediaId of an upload. */
export const sendEmoticon = <E = never, R = never>(
  session: WxSession,
  to: string,
  emoticon: Emoticon<E, R>,
): Effect.Effect<SentMessage, UploadError | E, Transport | ProtocolConfig | R> => {
  const sticker: Effect.Effect<
    { EMoticonMd5: string } | { MediaId: string },
    UploadError | E,
    Transport | ProtocolConfig | R
  > =
    "fileName" in emoticon
      ? Effect.map(uploaded(session, to, emoticon), (media) => ({ MediaId: media.mediaId }))
      : Effect.succeed({ EMoticonMd5: emoticon.md5 })
  return Effect.flatMap(sticker, (named) =>
    send(session, "webwxsendemoticon", { fun: "sys" }, to, { Type: 47, EmojiFlag: 2, ...named }),
  )
}

/**
 * webwxrevokemsg: recalls a sent message (the server allows two minutes). A refusal is
 * RequestRejected with the server's Ret and its explanation (`SysWording`, else `ErrMsg`).
 */
export const revoke = (
  session: WxSession,
  sent: SentMessage,
  to: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  resendIfUnsent(
    postJson(session, {
      endpoint: "webwxrevokemsg",
      body: { SvrMsgId: sent.msgId, ToUserName: to, ClientMsgId: sent.localId },
      refusalWording: "SysWording",
    }),
  ).pipe(Effect.asVoid)
