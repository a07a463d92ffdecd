import type { Route } from "../http/Route.js"

/** webwxverifyuser (add, accept) and webwxoplog (remark, pin). */
export const friendRoutes: ReadonlyArray<Route> = []
