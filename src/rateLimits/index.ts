export { rateLimitsFromHeaders, rateLimitsFromEvent, DEFAULT_RATE_LIMIT_ID } from './rateLimits.js';
