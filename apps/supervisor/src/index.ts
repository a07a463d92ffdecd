export { SupervisorLive, ProtocolLive } from "./Supervisor.js"
export { SupervisorConfig, type SupervisorConfigShape } from "./config/SupervisorConfig.js"
export { HealthAddress } from "./http/HealthServer.js"
export { Fleet } from "./fleet/Fleet.js"
