import { Simulator, type SimulatorOptions } from "../../src/index.js"

/** A small world: two fleet accounts who are friends, two people, an official account, a group. */
export const startWorld = async (options: SimulatorOptions = {}) => {
  const sim = await Simulator.start({ syncHoldMs: 1_000, loginPollHoldMs: 1_000, ...options })
  const { world } = sim
  world.addAccount({ wxid: "wxid_bot1", nickName: "Bot One", home: "wx2.qq.com" })
  world.addAccount({ wxid: "wxid_bot2", nickName: "Bot Two", home: "wx.qq.com" })
  world.addPerson({ wxid: "wxid_alice", nickName: 'Alice<span class="emoji emoji1f604"></span>', sex: 2, province: "北京", city: "海淀" })
  world.addPerson({ wxid: "wxid_bob", nickName: "Bob", sex: 1 })
  world.addPerson({ wxid: "wxid_carol", nickName: "Carol" })
  world.addPerson({ wxid: "gh_news", nickName: "News Daily", verifyFlag: 24 })
  world.befriend("wxid_bot1", "wxid_alice", { remarkName: "Alice (work)" })
  world.befriend("wxid_bot1", "wxid_bob")
  world.befriend("wxid_bot1", "gh_news")
  world.befriend("wxid_bot1", "wxid_bot2")
  const group = world.addGroup({
    topic: "Weekend hikers",
    owner: "wxid_bot1",
    members: ["wxid_alice", { wxid: "wxid_carol", displayName: "Caz" }, "wxid_bot2"],
  })
  return { sim, world, group }
}
