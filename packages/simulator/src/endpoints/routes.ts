import type { Route } from "../http/Route.js"
import { contactRoutes } from "./contacts.js"
import { friendRoutes } from "./friends.js"
import { groupRoutes } from "./groups.js"
import { loginRoutes } from "./login.js"
import { mediaRoutes } from "./media.js"
import { sendRoutes } from "./send.js"
import { sessionRoutes } from "./session.js"
import { syncRoutes } from "./sync.js"

/** Every Web WeChat endpoint the simulator serves. */
export const allRoutes: ReadonlyArray<Route> = [
  ...loginRoutes,
  ...sessionRoutes,
  ...contactRoutes,
  ...syncRoutes,
  ...sendRoutes,
  ...mediaRoutes,
  ...groupRoutes,
  ...friendRoutes,
]
