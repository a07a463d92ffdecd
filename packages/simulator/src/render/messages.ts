import type { WireValue } from "../wire/json.js"
import type { WorldMessage } from "../world/model.js"
import type { Session } from "../world/Session.js"

const EMPTY_RECOMMEND = {
  UserName: "",
  NickName: "",
  QQNum: 0,
  Province: "",
  City: "",
  Content: "",
  Signature: "",
  Alias: "",
  Scene: 0,
  VerifyFlag: 0,
  AttrStatus: 0,
  Sex: 0,
  Ticket: "",
  OpCode: 0,
}

/** An AddMsgList entry: every key always present, `MsgId` a string, `NewMsgId` a bare uint64. */
export const renderMessage = (session: Session, message: WorldMessage): { [key: string]: WireValue } => {
  const d = message.draft
  const content = message.speaker === undefined ? d.Content : `${session.userName(message.speaker)}:<br/>${d.Content}`
  const recommend = d.RecommendInfo
  return {
    MsgId: message.msgId.toString(),
    FromUserName: session.userName(message.from),
    ToUserName: session.userName(message.to),
    MsgType: d.MsgType,
    Content: content,
    Status: d.Status ?? 3,
    ImgStatus: d.ImgStatus ?? 1,
    CreateTime: message.createTime,
    VoiceLength: d.VoiceLength ?? 0,
    PlayLength: d.PlayLength ?? 0,
    FileName: d.FileName ?? "",
    FileSize: d.FileSize ?? "",
    MediaId: d.MediaId ?? "",
    Url: d.Url ?? "",
    AppMsgType: d.AppMsgType ?? 0,
    StatusNotifyCode: d.StatusNotifyCode ?? 0,
    StatusNotifyUserName: (d.StatusNotifyUserNames ?? []).map((wxid) => session.userName(wxid)).join(","),
    RecommendInfo: recommend
      ? {
          UserName: session.userName(recommend.wxid),
          NickName: recommend.NickName,
          QQNum: 0,
          Province: recommend.Province,
          City: recommend.City,
          Content: recommend.Content,
          Signature: recommend.Signature,
          Alias: recommend.Alias,
          Scene: recommend.Scene,
          VerifyFlag: recommend.VerifyFlag,
          AttrStatus: recommend.AttrStatus,
          Sex: recommend.Sex,
          Ticket: recommend.Ticket,
          OpCode: recommend.OpCode,
        }
      : EMPTY_RECOMMEND,
    ForwardFlag: 0,
    AppInfo: d.AppInfo ?? { AppID: "", Type: 0 },
    HasProductId: d.HasProductId ?? 0,
    Ticket: d.Ticket ?? "",
    ImgHeight: d.ImgHeight ?? 0,
    ImgWidth: d.ImgWidth ?? 0,
    SubMsgType: d.SubMsgType ?? 0,
    NewMsgId: message.msgId,
    OriContent: d.OriContent ?? "",
    EncryFileName: d.EncryFileName ?? "",
  }
}
