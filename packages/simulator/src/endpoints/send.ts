import type { Route } from "../http/Route.js"

export const sendRoutes: ReadonlyArray<Route> = []
