// Installs the workspace from the lockfile when node_modules is missing or older than the
// lockfile, so `npm test` and `npm run demo` work on a fresh clone. Plain Node: nothing is
// installed yet when this runs.
import { execSync } from "node:child_process"
import { existsSync, statSync } from "node:fs"

const stamp = "node_modules/.package-lock.json"
const stale = !existsSync(stamp) || statSync("package-lock.json").mtimeMs > statSync(stamp).mtimeMs
if (stale) {
  console.log("Installing dependencies from package-lock.json …")
  execSync("npm ci --no-audit --no-fund", { stdio: "inherit" })
}
