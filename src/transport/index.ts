import type { ResolvedClientConfig } from '../client/config.js';
import { SseTransport } from './sse.js';
import type { Transport } from './types.js';
import { WebSocketTransport } from './websocket.js';

/** The transport a client's `transport` option names. */
export function createTransport(config: ResolvedClientConfig): Transport {
  const sse = new SseTransport(config);
  if (config.transport === 'sse') return sse;
  return new WebSocketTransport(config.transport === 'auto' ? { ...configOptions(config), fallback: sse } : configOptions(config));
}

function configOptions(config: ResolvedClientConfig) {
  return {
    idleTimeoutMs: config.idleTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    ...(config.onDiagnostic !== undefined && { onDiagnostic: config.onDiagnostic }),
    ...(config.scheduler !== undefined && { scheduler: config.scheduler }),
  };
}
