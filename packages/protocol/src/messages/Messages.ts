/** Messages from `webwxsync`: the raw `AddMsgList` entry, the kinds it decodes to, and the decoder. */
export { decodeBatch, decodeMessage, type DecodeContext } from "./decode.js"
export {
  Card,
  Emoticon,
  Envelope,
  File,
  FriendRequest,
  Image,
  Link,
  Location,
  Message,
  MiniProgram,
  NoticeEvent,
  Party,
  Quote,
  QuotedMessage,
  RedPacket,
  Revoke,
  StatusNotify,
  SystemNotice,
  Text,
  Transfer,
  Unknown,
  Video,
  Voice,
} from "./Message.js"
export { AppInfo, RawMessage, RecommendInfo } from "./RawMessage.js"
