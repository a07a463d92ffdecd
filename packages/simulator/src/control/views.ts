import type { Activity } from "../world/model.js"
import type { Account, LoginFlow, World } from "../world/World.js"

/** How the control API shows things: plain JSON, wxids only, no session secrets. */

export const activityCounts = (account: Account): Partial<Record<Activity["type"], number>> => {
  const counts: Partial<Record<Activity["type"], number>> = {}
  for (const activity of account.activity) counts[activity.type] = (counts[activity.type] ?? 0) + 1
  return counts
}

export const accountSummary = (account: Account) => ({
  wxid: account.wxid,
  nickName: account.person.nickName,
  uin: account.person.uin,
  home: account.home,
  loggedIn: account.session !== undefined,
  sessionHost: account.session?.host ?? null,
  friends: account.friends.size,
  groups: account.groups.size,
  activity: activityCounts(account),
})

export const accountDetail = (account: Account) => ({
  ...accountSummary(account),
  webLoginRefused: account.webLoginRefused,
  session: account.session
    ? {
        host: account.session.host,
        desktop: account.session.desktop,
        inited: account.session.inited,
      }
    : null,
  /** Newest position of the account's log, and how far its client confirmed (through webwxsync). */
  logHead: account.headSeq,
  acknowledged: account.acknowledgedSeq,
  sendsBeforeRateLimit: account.sendsBeforeRateLimit ?? null,
  rateLimitedSyncchecks: account.rateLimitedSyncchecks,
  rateLimitedSyncs: account.rateLimitedSyncs,
  friendList: [...account.friends.keys()],
  groupList: [...account.groups],
})

export const flowView = (flow: LoginFlow) => ({
  uuid: flow.uuid,
  state: flow.state,
  createdAt: flow.createdAt,
  desktop: flow.desktop,
  push: flow.push,
  account: flow.account ?? null,
  qrUrl: `https://login.weixin.qq.com/l/${flow.uuid}`,
})

/** Login flows still waiting for the phone (a flow past its time is marked expired on the way). */
export const pendingFlows = (world: World): Array<LoginFlow> =>
  [...world.flows.keys()].flatMap((uuid) => {
    const flow = world.flow(uuid)
    return flow && (flow.state === "waiting" || flow.state === "scanned") ? [flow] : []
  })
