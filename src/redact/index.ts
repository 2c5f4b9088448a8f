export { MIN_SECRET_RUN, REDACTED, redactError, redactRecord, redactText } from './redact.js';
