import {
  joinGroup,
  leaveGroup,
  removeFromGroup,
  renameGroup,
  requestFriend,
  acceptOutgoingRequest,
} from "../world/social.js"
import { speak, type MessageSpec } from "../world/speak.js"
import type { World } from "../world/World.js"
import { decode, type ControlRoute } from "./http.js"
import {
  AcceptRequestBody,
  FriendRequestBody,
  JoinBody,
  LeaveBody,
  RemoveBody,
  RenameBody,
  SayBatchBody,
  SayBody,
} from "./schemas.js"

/** `never`, so `say` below fails to compile, while speak knows a kind that `say` cannot carry. */
type Sayable = [Exclude<MessageSpec["kind"], (typeof SayBody.Type)["spec"]["kind"]>] extends [never]
  ? MessageSpec
  : never

/** Playing the people around the fleet: they talk, ask to be friends, and change groups. */
export const playRoutes = (world: World): ReadonlyArray<ControlRoute> => [
  {
    method: "POST",
    pattern: "/say",
    handle: async ({ body }) => {
      const { from, to, spec } = decode(SayBody, await body())
      return speak(world, from, to, spec satisfies Sayable)
    },
  },
  {
    // Many says in one request: a load generator at thousands of messages a second spends its
    // CPU (and the simulator's) on HTTP otherwise. Each is said in order; one that cannot be
    // said is answered with its reason and does not stop the others.
    method: "POST",
    pattern: "/say-batch",
    handle: async ({ body }) => {
      const { messages } = decode(SayBatchBody, await body())
      return {
        said: messages.map(({ from, to, spec }) => {
          try {
            return speak(world, from, to, spec satisfies Sayable)
          } catch (error) {
            return { error: error instanceof Error ? error.message : String(error) }
          }
        }),
      }
    },
  },
  {
    method: "POST",
    pattern: "/friend-requests",
    handle: async ({ body }) => {
      const { stranger, account, ...options } = decode(FriendRequestBody, await body())
      return requestFriend(world, stranger, account, options)
    },
  },
  {
    method: "POST",
    pattern: "/friend-requests/accept",
    handle: async ({ body }) => {
      const { stranger, account } = decode(AcceptRequestBody, await body())
      acceptOutgoingRequest(world, stranger, account)
      return {}
    },
  },
  {
    method: "POST",
    pattern: "/groups/:roomId/join",
    handle: async ({ params, body }) => {
      const { inviter, members } = decode(JoinBody, await body())
      joinGroup(world, params["roomId"]!, inviter, members)
      return {}
    },
  },
  {
    method: "POST",
    pattern: "/groups/:roomId/leave",
    handle: async ({ params, body }) => {
      leaveGroup(world, params["roomId"]!, decode(LeaveBody, await body()).member)
      return {}
    },
  },
  {
    method: "POST",
    pattern: "/groups/:roomId/remove",
    handle: async ({ params, body }) => {
      const { by, member } = decode(RemoveBody, await body())
      removeFromGroup(world, params["roomId"]!, by, member)
      return {}
    },
  },
  {
    method: "POST",
    pattern: "/groups/:roomId/rename",
    handle: async ({ params, body }) => {
      const { by, topic } = decode(RenameBody, await body())
      renameGroup(world, params["roomId"]!, by, topic)
      return {}
    },
  },
]
