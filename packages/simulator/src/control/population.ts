import { HOME_HOSTS, type HomeHost } from "../world/model.js"
import type { World } from "../world/World.js"

export interface PopulationOptions {
  /** How many fleet accounts to create. */
  readonly count: number
  /** Accounts are `<prefix>_<index>`, the shared people `<prefix>_p<index>`. */
  readonly prefix?: string
  /** Index of the first account, so a large fleet can be created in several calls. */
  readonly start?: number
  readonly friendsEach?: number
  readonly groupsEach?: number
  /** People shared by all accounts of the prefix; each account befriends a window of them. */
  readonly poolSize?: number
  /** The accounts' home host, or "mixed" to spread them over every home host. */
  readonly home?: HomeHost | "mixed"
}

/** Members of each generated group besides its owner, taken from the owner's friends. */
const GROUP_MEMBERS = 8

export const DEFAULT_PREFIX = "wxid_sim"

/**
 * Creates a fleet cheaply enough for 10,000 accounts × 200 friends: the friends are drawn from
 * one pool of people shared by every account of the prefix, so the world holds each person once
 * and an account holds only its friend links and its groups.
 */
export const populate = (
  world: World,
  options: PopulationOptions,
): { accounts: Array<string>; poolSize: number } => {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const start = options.start ?? 0
  const friendsEach = options.friendsEach ?? 20
  const groupsEach = options.groupsEach ?? 2
  const poolSize = Math.max(options.poolSize ?? Math.max(friendsEach * 5, 1_000), friendsEach)
  const wxids = Array.from({ length: options.count }, (_, i) => `${prefix}_${start + i}`)
  // Check everything first so a refused request leaves the world as it was.
  const taken = wxids.find((wxid) => world.persons.has(wxid))
  if (taken !== undefined) throw new Error(`${taken} exists; pick another prefix or start`)

  const pool = Array.from({ length: poolSize }, (_, i) => {
    const wxid = `${prefix}_p${i}`
    if (!world.persons.has(wxid))
      world.addPerson({ wxid, nickName: `Friend ${i}`, sex: (i % 3) as 0 | 1 | 2 })
    return wxid
  })

  for (const [offset, wxid] of wxids.entries()) {
    const index = start + offset
    const home =
      options.home === "mixed"
        ? HOME_HOSTS[index % HOME_HOSTS.length]!
        : (options.home ?? "wx2.qq.com")
    world.addAccount({ wxid, nickName: `Bot ${index}`, home })
    // Windows start at different places so accounts share some friends but not all.
    const first = (index * 37) % poolSize
    const friends = Array.from({ length: friendsEach }, (_, k) => pool[(first + k) % poolSize]!)
    for (const friend of friends) world.befriend(wxid, friend)
    for (let g = 0; g < groupsEach; g++) {
      const members = Array.from(
        { length: Math.min(GROUP_MEMBERS, friends.length) },
        (_, k) => friends[(g * GROUP_MEMBERS + k) % friends.length]!,
      )
      world.addGroup({ topic: `Group ${index}-${g}`, owner: wxid, members })
    }
  }
  return { accounts: wxids, poolSize }
}
