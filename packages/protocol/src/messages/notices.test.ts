import { assert, describe, it } from "@effect/vitest"
import type { NoticeEvent } from "./Message.js"
import { noticeEvent, redPacketNotice } from "./notices.js"

const person = (name: string) => ({ name, isSelf: false })
const self = (name: string) => ({ name, isSelf: true })

/** The texts puppet-wechat's firer tests hold (zh and en), and those the server sends the other parties. */
const CASES: ReadonlyArray<readonly [string, NoticeEvent]> = [
  [
    "You invited 管理员 to the group chat.   ",
    { _tag: "Joined", inviter: self("You"), invitees: [person("管理员")], viaQrCode: false },
  ],
  [
    "You invited 李卓桓.PreAngel、Bruce LEE to the group chat.   ",
    {
      _tag: "Joined",
      inviter: self("You"),
      invitees: [person("李卓桓.PreAngel"), person("Bruce LEE")],
      viaQrCode: false,
    },
  ],
  [
    "管理员 invited 庆次、小桔妹 to the group chat",
    {
      _tag: "Joined",
      inviter: person("管理员"),
      invitees: [person("庆次"), person("小桔妹")],
      viaQrCode: false,
    },
  ],
  [
    '你邀请"管理员"加入了群聊  ',
    { _tag: "Joined", inviter: self("你"), invitees: [person("管理员")], viaQrCode: false },
  ],
  [
    '"管理员"邀请"宁锐锋"加入了群聊',
    { _tag: "Joined", inviter: person("管理员"), invitees: [person("宁锐锋")], viaQrCode: false },
  ],
  [
    '"凌"邀请你加入了群聊',
    { _tag: "Joined", inviter: person("凌"), invitees: [self("你")], viaQrCode: false },
  ],
  [
    '"凌"邀请你和"庆次、小桔妹"加入了群聊',
    {
      _tag: "Joined",
      inviter: person("凌"),
      invitees: [self("你"), person("庆次"), person("小桔妹")],
      viaQrCode: false,
    },
  ],
  [
    '"管理员"通过扫描你分享的二维码加入群聊  ',
    { _tag: "Joined", inviter: self("你"), invitees: [person("管理员")], viaQrCode: true },
  ],
  [
    '" 桔小秘"通过扫描"李佳芮"分享的二维码加入群聊',
    { _tag: "Joined", inviter: person("李佳芮"), invitees: [person("桔小秘")], viaQrCode: true },
  ],
  [
    '"管理员" joined group chat via the QR code you shared.  ',
    { _tag: "Joined", inviter: self("you"), invitees: [person("管理员")], viaQrCode: true },
  ],
  [
    '"宁锐锋" joined the group chat via the QR Code shared by "管理员".',
    { _tag: "Joined", inviter: person("管理员"), invitees: [person("宁锐锋")], viaQrCode: true },
  ],
  [
    'You removed "Bruce LEE" from the group chat',
    { _tag: "Removed", removed: [person("Bruce LEE")], by: self("You") },
  ],
  ['你将"李佳芮"移出了群聊', { _tag: "Removed", removed: [person("李佳芮")], by: self("你") }],
  [
    'You were removed from the group chat by "桔小秘"',
    { _tag: "Removed", removed: [self("You")], by: person("桔小秘") },
  ],
  ['你被"李佳芮"移出群聊', { _tag: "Removed", removed: [self("你")], by: person("李佳芮") }],
  [
    '"李卓桓.PreAngel" changed the group name to "ding"',
    { _tag: "Renamed", topic: "ding", by: person("李卓桓.PreAngel") },
  ],
  ['"李佳芮"修改群名为“dong”', { _tag: "Renamed", topic: "dong", by: person("李佳芮") }],
  ["你修改群名为“周末爬山”", { _tag: "Renamed", topic: "周末爬山", by: self("你") }],
  [
    "You have added 李卓桓 as your WeChat contact. Start chatting!",
    { _tag: "FriendAdded", name: "李卓桓", addedBy: "self" },
  ],
  [
    "你已添加了李卓桓，现在可以开始聊天了。",
    { _tag: "FriendAdded", name: "李卓桓", addedBy: "self" },
  ],
  [
    "johnbassserver@gmail.com just added you to his/her contacts list. Send a message to him/her now!",
    { _tag: "FriendAdded", name: "johnbassserver@gmail.com", addedBy: "peer" },
  ],
  [
    "johnbassserver@gmail.com刚刚把你添加到通讯录，现在可以开始聊天了。",
    { _tag: "FriendAdded", name: "johnbassserver@gmail.com", addedBy: "peer" },
  ],
]

describe("noticeEvent", () => {
  it.each(CASES)("reads %j", (text, event) => {
    assert.deepStrictEqual(noticeEvent(text), event)
  })

  it("has no event for other notices", () => {
    for (const text of [
      "如果陌生人主动添加你为朋友，请谨慎核实对方身份。",
      "位置共享已经结束",
      '"张三" 拍了拍我',
      "",
    ]) {
      assert.isUndefined(noticeEvent(text), text)
    }
  })
})

describe("redPacketNotice", () => {
  it("tells received from sent", () => {
    assert.strictEqual(redPacketNotice("收到红包，请在手机上查看"), "received")
    assert.strictEqual(redPacketNotice("发出红包，请在手机上查看"), "sent")
    assert.isUndefined(redPacketNotice("群收款消息，请在手机上查看"))
  })
})
