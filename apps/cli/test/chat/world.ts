import { TestFleet } from "@wxfleet/worker/testing"

/** The account the chat tests log in, and the people around it. */
export const ACCOUNT = "bot1"
export const BOT = "wxid_bot"
export const ALICE = "wxid_alice"
export const BOB = "wxid_bob"
export const CAROL = "wxid_carol"

/**
 * A fleet with one logged-in account, two friends with distinct names (one of them with a remark,
 * one with a CJK name) and a group where a member has a group nickname.
 */
export const startChatFleet = async (): Promise<{
  readonly fleet: TestFleet
  readonly roomId: string
}> => {
  const fleet = await TestFleet.start()
  const world = fleet.world
  world.addAccount({ wxid: BOT, nickName: "Helper Bot" })
  world.addPerson({ wxid: ALICE, nickName: "Alice Liddell" })
  world.addPerson({ wxid: BOB, nickName: "王小明" })
  world.addPerson({ wxid: CAROL, nickName: "Carol" })
  world.befriend(BOT, ALICE)
  world.befriend(BOT, BOB, { remarkName: "Bob from work" })
  const group = world.addGroup({
    topic: "Weekend hikers 周末徒步",
    owner: ALICE,
    members: [BOT, BOB, { wxid: CAROL, displayName: "Caz" }],
  })
  await fleet.login(ACCOUNT, BOT)
  return { fleet, roomId: group.roomId }
}
