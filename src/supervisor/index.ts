/** The supervisor's public surface: what the CLI composition root and the API use. */
export { Supervisor } from "./supervisor";
export type { SupervisorOptions, ProbeRunner } from "./options";
export type { LaunchResult, LaunchOutcome } from "./launcher";
export type { ServiceSnapshot, SystemSnapshot, SupervisorSnapshot } from "./snapshot";
export { UnknownServiceError, ShuttingDownError } from "./errors";
export { InvalidTransitionError, transition, canTransition, SERVICE_EVENTS, type ServiceEvent } from "./transition";
export { EnvFileError, parseEnvFile, buildServiceEnv, type ReadTextFile } from "./env";
