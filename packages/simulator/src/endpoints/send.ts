import { randomBytes } from "node:crypto"
import { baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { escapeContent, escapeXmlText, withEmojiSpans } from "../wire/escape.js"
import { avatarJpeg } from "../world/media.js"
import type { Activity, MessageDraft } from "../world/model.js"
import type { Session } from "../world/Session.js"
import type { Account, World } from "../world/World.js"
import { idText, mediaStore, THUMB_SIZE, type Upload } from "./media.js"

/** Sending to someone who is not a friend (or to yourself) is refused with 1204. */
const NOT_A_FRIEND = 1204
/** MMWEBWX_ERR_FREQ: the rate limiter (fault `sendsBeforeRateLimit`) refuses with 1205. */
const RATE_LIMITED = 1205
/** A malformed Msg or a MediaId that names none of the account's uploads [U]. */
const PARAM_ERROR = 1

/** The AppID the web client puts into the attachments it sends. */
const WEB_APP_ID = "wxeb7ec651dd0aefa9"

/** Every send failure keeps both ids, empty (a 1204 capture). */
const sendFailure = (ret: number) => ({ ...baseResponse(ret), MsgID: "", LocalID: "" })

/** What a send delivers: the recipient's message, and what the "sent" activity records. */
interface Composed {
  readonly draft: MessageDraft
  readonly content: string
  readonly upload?: Upload
}

/** Builds the delivered message from the client's `Msg`, or undefined when the Msg is unusable. */
type Compose = (
  world: World,
  account: Account,
  msg: Record<string, unknown>,
) => Composed | undefined

/** The wxid a send may go to: a friend (filehelper and weixin included) or a group the account is in. */
const recipientOf = (account: Account, session: Session, userName: unknown): string | undefined => {
  const wxid = typeof userName === "string" ? session.wxidOf(userName) : undefined
  return wxid !== undefined && (account.friends.has(wxid) || account.groups.has(wxid))
    ? wxid
    : undefined
}

/**
 * One send endpoint: checks the session, `Msg.Type`, that `FromUserName` is the session's self and
 * that `ToUserName` is someone it may write to, then the rate limiter; delivers to every fleet
 * account that receives it (the sender only for filehelper) and answers the new `MsgID`.
 */
const sendEndpoint =
  (endpoint: string, msgType: number, compose: Compose) =>
  async (ctx: Context): Promise<void> => {
    const auth = await sessionFromBody(ctx, sendFailure)
    if (!auth) return
    const { world } = ctx
    const { account, session, body } = auth
    const msg = body["Msg"]
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      ctx.sendJson(sendFailure(PARAM_ERROR))
      return
    }
    const fields = msg as Record<string, unknown>
    if (
      Number(fields["Type"]) !== msgType ||
      fields["FromUserName"] !== session.userName(account.wxid)
    ) {
      ctx.sendJson(sendFailure(PARAM_ERROR)) // [U] the code for a wrong sender is not captured
      return
    }
    const to = recipientOf(account, session, fields["ToUserName"])
    if (to === undefined) {
      ctx.sendJson(sendFailure(NOT_A_FRIEND))
      return
    }
    const composed = compose(world, account, fields)
    if (!composed) {
      ctx.sendJson(sendFailure(PARAM_ERROR))
      return
    }
    if (account.sendsBeforeRateLimit !== undefined) {
      if (account.sendsBeforeRateLimit <= 0) {
        ctx.sendJson(sendFailure(RATE_LIMITED))
        return
      }
      account.sendsBeforeRateLimit -= 1
    }
    // Web sends do not come back to the sender's sync, except to filehelper, which is the sender's own.
    const msgId = world
      .say(account.wxid, to, composed.draft, { echoToSender: to === "filehelper" })
      .toString()
    if (composed.upload) {
      const readers = world.isRoom(to) ? world.group(to).members.map((m) => m.wxid) : [to]
      for (const reader of readers) composed.upload.readers.add(reader)
    }
    const localId = idText(fields["LocalID"]) ?? idText(fields["ClientMsgId"]) ?? ""
    world.record(account, {
      type: "sent",
      at: world.now(),
      msgId,
      localId,
      to,
      msgType,
      content: composed.content,
      ...(composed.upload ? { mediaId: composed.upload.mediaId } : {}),
      endpoint,
    })
    ctx.sendJson({ ...baseResponse(0), MsgID: msgId, LocalID: localId })
  }

const hex = (bytes: number): string => randomBytes(bytes).toString("hex")

/** CDN ids in media XML are long hex strings; clients only carry them around. */
const cdnUrl = (): string => `3057020100044b304902010002${hex(40)}0204${hex(4)}0400`

const ownUpload = (world: World, account: Account, mediaId: unknown): Upload | undefined =>
  typeof mediaId === "string" ? mediaStore(world).ownUpload(account.wxid, mediaId) : undefined

/** Thumbnails are tiny JPEGs, distinct per file. */
const thumbnailOf = (upload: Upload): Uint8Array => avatarJpeg(`thumb:${upload.md5}`)

const composeText: Compose = (_world, _account, msg) => {
  const text = msg["Content"]
  if (typeof text !== "string") return undefined
  return { draft: { MsgType: 1, Content: withEmojiSpans(escapeContent(text)) }, content: text }
}

const composeImage: Compose = (world, account, msg) => {
  const upload = ownUpload(world, account, msg["MediaId"])
  if (!upload) return undefined
  const thumb = thumbnailOf(upload)
  const xml =
    `<?xml version="1.0"?>\n<msg>\n\t<img aeskey="${hex(16)}" encryver="1" cdnthumbaeskey="${hex(16)}" ` +
    `cdnthumburl="${cdnUrl()}" cdnthumblength="${thumb.length}" cdnthumbheight="${THUMB_SIZE.height}" ` +
    `cdnthumbwidth="${THUMB_SIZE.width}" cdnmidheight="0" cdnmidwidth="0" cdnhdheight="0" cdnhdwidth="0" ` +
    `cdnmidimgurl="${cdnUrl()}" length="${upload.bytes.length}" md5="${upload.md5}" />\n</msg>\n`
  return {
    draft: {
      MsgType: 3,
      Content: escapeContent(xml),
      ImgStatus: 2,
      ImgHeight: THUMB_SIZE.height,
      ImgWidth: THUMB_SIZE.width,
      media: {
        mime: upload.mime.startsWith("image/") ? upload.mime : "image/jpeg",
        full: upload.bytes,
        thumb,
      },
    },
    content: "",
    upload,
  }
}

const composeVideo: Compose = (world, account, msg) => {
  const upload = ownUpload(world, account, msg["MediaId"])
  if (!upload) return undefined
  const thumb = thumbnailOf(upload)
  const playLength = Math.max(1, Math.round(upload.bytes.length / 250_000)) // [U] nothing decodes the mp4
  const xml =
    `<?xml version="1.0"?>\n<msg>\n\t<videomsg aeskey="${hex(16)}" cdnthumbaeskey="${hex(16)}" ` +
    `cdnvideourl="${cdnUrl()}" cdnthumburl="${cdnUrl()}" length="${upload.bytes.length}" playlength="${playLength}" ` +
    `cdnthumblength="${thumb.length}" cdnthumbwidth="${THUMB_SIZE.width}" cdnthumbheight="${THUMB_SIZE.height}" ` +
    `fromusername="${account.wxid}" md5="${upload.md5}" newmd5="${upload.md5}" isad="0" />\n</msg>\n`
  return {
    draft: {
      MsgType: 43,
      Content: escapeContent(xml),
      PlayLength: playLength,
      ImgHeight: THUMB_SIZE.height,
      ImgWidth: THUMB_SIZE.width,
      media: { mime: "video/mp4", full: upload.bytes, thumb },
    },
    content: "",
    upload,
  }
}

const xmlElement = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]

const unescapeXml = (text: string): string =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")

/**
 * A file (`<appmsg … type 6>` whose `<attachid>` is an upload of the sender) reaches the recipient
 * as MsgType 49 / AppMsgType 6, rewrapped the way the server delivers attachments.
 */
const composeFile: Compose = (world, account, msg) => {
  const content = msg["Content"]
  if (typeof content !== "string") return undefined
  const upload = ownUpload(world, account, xmlElement(content, "attachid")?.trim())
  if (!upload) return undefined
  const title = unescapeXml(xmlElement(content, "title") ?? "") || upload.name
  const extension = xmlElement(content, "fileext") ?? /\.([^.]+)$/.exec(title)?.[1] ?? ""
  const xml =
    `<msg><appmsg appid="${WEB_APP_ID}" sdkver=""><title>${escapeXmlText(title)}</title><des></des><action></action>` +
    `<type>6</type><showtype>0</showtype><content></content><url></url><lowurl></lowurl><appattach>` +
    `<totallen>${upload.bytes.length}</totallen><attachid>${upload.mediaId}</attachid><emoticonmd5></emoticonmd5>` +
    `<fileext>${escapeXmlText(extension)}</fileext></appattach><extinfo></extinfo><md5>${upload.md5}</md5></appmsg>` +
    `<fromusername>${account.wxid}</fromusername><scene>0</scene><appinfo><version>1</version><appname></appname>` +
    // The capture ends with an escaped `<br/>` followed by a real one.
    `</appinfo><commenturl></commenturl></msg><br/>\n`
  return {
    draft: {
      MsgType: 49,
      AppMsgType: 6,
      Content: escapeContent(xml),
      FileName: title,
      FileSize: String(upload.bytes.length),
      MediaId: upload.mediaId,
      EncryFileName: encodeURIComponent(title).replace(/\./g, "%2E"),
      AppInfo: { AppID: WEB_APP_ID, Type: 0 },
      media: { mime: upload.mime, full: upload.bytes },
    },
    content,
    upload,
  }
}

/** A 1×1 GIF for stickers named only by an md5 nobody uploaded here (store stickers). */
const PLACEHOLDER_GIF = Buffer.from(
  "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  "base64",
)
const STICKER_SIZE = 120 // [U]

/** A sticker by `EMoticonMd5` (any known sticker) or by the `MediaId` of an uploaded gif. */
const composeEmoticon: Compose = (world, account, msg) => {
  const requested = msg["EMoticonMd5"]
  const md5 =
    typeof requested === "string" && /^[0-9a-f]{32}$/i.test(requested)
      ? requested.toLowerCase()
      : undefined
  const upload = md5 === undefined ? ownUpload(world, account, msg["MediaId"]) : undefined
  const stickerMd5 = md5 ?? upload?.md5
  if (stickerMd5 === undefined) return undefined
  // A sticker named by md5 shows the bytes of whoever uploaded them here, else a placeholder.
  const bytes =
    (md5 === undefined ? upload?.bytes : mediaStore(world).uploadWithMd5(md5)?.bytes) ??
    PLACEHOLDER_GIF
  const xml =
    `<msg><emoji fromusername="${account.wxid}" tousername="" type="2" idbuffer="media:0_0" md5="${stickerMd5}" ` +
    `len="${bytes.length}" productid="" androidmd5="${stickerMd5}" androidlen="${bytes.length}" ` +
    `cdnurl="http://emoji.qpic.cn/wx_emoji/${hex(24)}/" designerid="" thumburl="" ` +
    `encrypturl="http://emoji.qpic.cn/wx_emoji/${hex(24)}/" aeskey="${hex(16)}" width="${STICKER_SIZE}" ` +
    `height="${STICKER_SIZE}"></emoji></msg>`
  return {
    draft: {
      MsgType: 47,
      Content: escapeContent(xml),
      ImgStatus: 2,
      ImgHeight: STICKER_SIZE,
      ImgWidth: STICKER_SIZE,
      media: { mime: "image/gif", full: bytes },
    },
    content: "",
    ...(upload ? { upload } : {}),
  }
}

// ---- webwxrevokemsg ----

const REVOKE_INTRODUCTION = "你可以撤回2分钟内发送的消息（部分旧版本微信不支持这个功能）。"
const REVOKE_TOO_LATE = "已超过2分钟，无法撤回" // [U]

const revokeAnswer = (ret: number, introduction = REVOKE_INTRODUCTION, sysWording = "") => ({
  ...baseResponse(ret),
  Introduction: introduction,
  SysWording: sysWording,
})

type SentActivity = Extract<Activity, { type: "sent" }>

/** The account's send of this MsgId (recent first), and whether it was already revoked. */
const findSent = (
  account: Account,
  msgId: string,
): { sent: SentActivity; revoked: boolean } | undefined => {
  let revoked = false
  for (let i = account.activity.length - 1; i >= 0; i--) {
    const activity = account.activity[i]!
    if (activity.type === "revoked" && activity.msgId === msgId) revoked = true
    if (activity.type === "sent" && activity.msgId === msgId) return { sent: activity, revoked }
  }
  return undefined
}

/** The recall notice (MsgType 10002), formatted like the capture: `<br/>` and tab indentation. */
const revokeNotice = (world: World, account: Account, sent: SentActivity): MessageDraft => {
  const own = sent.to === "filehelper"
  const chat = world.isRoom(sent.to) || own ? sent.to : account.wxid
  const replace = own ? "你撤回了一条消息" : `"${account.person.nickName}" 撤回了一条消息`
  const xml =
    `<sysmsg type="revokemsg">\n\t<revokemsg>\n\t\t<session>${chat}</session>\n` +
    `\t\t<oldmsgid>${BigInt(sent.msgId) & 0xffff_ffffn}</oldmsgid>\n\t\t<msgid>${sent.msgId}</msgid>\n` +
    `\t\t<replacemsg><![CDATA[${replace}]]></replacemsg>\n\t</revokemsg>\n</sysmsg>\n`
  return { MsgType: 10002, Content: escapeContent(xml), Status: 4 }
}

/**
 * webwxrevokemsg: recalls one of the account's own sends within the revoke window (two minutes)
 * and tells its recipients with a 10002 notice. `ClientMsgId` is not checked: wechat4u sends a
 * fresh one.
 */
const revoke = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, (ret) => revokeAnswer(ret, ""))
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const msgId = idText(body["SvrMsgId"]) ?? ""
  const found = findSent(account, msgId)
  const to = typeof body["ToUserName"] === "string" ? session.wxidOf(body["ToUserName"]) : undefined
  if (!found || found.sent.to !== to) {
    ctx.sendJson(revokeAnswer(PARAM_ERROR)) // [U] not one of your messages
    return
  }
  if (found.revoked) {
    ctx.sendJson(revokeAnswer(0)) // [U] a repeated revoke changes nothing
    return
  }
  if (world.now() - found.sent.at > world.options.revokeWindowMs) {
    ctx.sendJson(revokeAnswer(-1, REVOKE_INTRODUCTION, REVOKE_TOO_LATE)) // [U] code and wording
    return
  }
  world.say(account.wxid, found.sent.to, revokeNotice(world, account, found.sent), {
    echoToSender: found.sent.to === "filehelper",
  })
  world.record(account, { type: "revoked", at: world.now(), msgId, to: found.sent.to })
  ctx.sendJson(revokeAnswer(0))
}

export const sendRoutes: ReadonlyArray<Route> = [
  {
    kind: "api",
    method: "POST",
    path: `${CGI}/webwxsendmsg`,
    handle: sendEndpoint("webwxsendmsg", 1, composeText),
  },
  {
    kind: "api",
    method: "POST",
    path: `${CGI}/webwxsendmsgimg`,
    handle: sendEndpoint("webwxsendmsgimg", 3, composeImage),
  },
  {
    kind: "api",
    method: "POST",
    path: `${CGI}/webwxsendvideomsg`,
    handle: sendEndpoint("webwxsendvideomsg", 43, composeVideo),
  },
  {
    kind: "api",
    method: "POST",
    path: `${CGI}/webwxsendappmsg`,
    handle: sendEndpoint("webwxsendappmsg", 6, composeFile),
  },
  {
    kind: "api",
    method: "POST",
    path: `${CGI}/webwxsendemoticon`,
    handle: sendEndpoint("webwxsendemoticon", 47, composeEmoticon),
  },
  { kind: "api", method: "POST", path: `${CGI}/webwxrevokemsg`, handle: revoke },
]
