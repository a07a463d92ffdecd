import type { Route } from "../http/Route.js"

export const mediaRoutes: ReadonlyArray<Route> = []
