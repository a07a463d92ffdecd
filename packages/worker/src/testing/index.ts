export { TestFleet, type Running, type SentActivity, type TestFleetOptions } from "./TestFleet.js"
export { EventLog, type Recorded } from "./EventLog.js"
