import type { Message } from './types.js';

/*
 * The Rust client's `UnifiedMessage::user/system/assistant(text)` constructors: one text block each.
 * (The Rust client also stamped a timestamp; codex-rx messages have none.)
 */

/**
 * A user message with one text block.
 *
 * ## Example
 *
 * ```ts
 * import { CodexClient, userMessage } from 'codex-rx';
 *
 * new CodexClient().stream([userMessage('Hello')]).subscribe(console.log);
 * ```
 * @param text The text.
 * @return The message.
 */
export function userMessage(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

/**
 * A system message with one text block. System messages are sent as the request's
 * `instructions`, never as input items.
 * @param text The text.
 * @return The message.
 */
export function systemMessage(text: string): Message {
  return { role: 'system', content: [{ type: 'text', text }] };
}

/**
 * An assistant message with one text block (replayed as `output_text`).
 * @param text The text.
 * @return The message.
 */
export function assistantMessage(text: string): Message {
  return { role: 'assistant', content: [{ type: 'text', text }] };
}
