import type { Route } from "../http/Route.js"

export const groupRoutes: ReadonlyArray<Route> = []
