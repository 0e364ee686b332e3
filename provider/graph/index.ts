export {
    GraphClient,
    type GraphClientOptions,
    type GraphRequest,
    type GraphResponse,
    type GraphClientStats,
    type GraphLog,
} from "./client";
export { GraphError, GraphTransportError, GraphAuthenticationError, parseGraphError } from "./errors";
export { parseRetryAfter, backoffDelay, isRetryableStatus } from "./retry";
export { Throttle, ThrottleDeadlineError } from "./throttle";
export { followPages } from "./paging";
export { parseClaimsChallenge } from "./auth";
export { defaultUserAgent } from "./user-agent";
export { systemClock, type Clock } from "../util/clock";
export type { GraphPolicy, GraphCall, GraphAnswer } from "./pipeline";
