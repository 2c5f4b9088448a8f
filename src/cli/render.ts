/**
 * Rendering CodexEvents for a terminal, as pure functions: an event and the state so far in,
 * the text to write and the next state out (spec/cli/render.spec.ts).
 */
import { CodexError, CodexHttpError } from '../errors.js';
import { redactText } from '../redact/index.js';
import type { CodexEvent, ToolCall, Usage } from '../types.js';

/** ANSI styling; every function is the identity when colours are off. */
export interface Style {
  readonly color: boolean;
  dim(text: string): string;
  bold(text: string): string;
  tool(text: string): string;
  warn(text: string): string;
  error(text: string): string;
}

const wrap = (open: string, close: string) => (text: string) => (text === '' ? '' : `\x1b[${open}m${text}\x1b[${close}m`);
const identity = (text: string): string => text;

/**
 * @param color Whether to emit ANSI escapes.
 * @return The style.
 */
export function createStyle(color: boolean): Style {
  if (!color) return { color, dim: identity, bold: identity, tool: identity, warn: identity, error: identity };
  return { color, dim: wrap('2', '22'), bold: wrap('1', '22'), tool: wrap('36', '39'), warn: wrap('33', '39'), error: wrap('31', '39') };
}

/**
 * Whether to colour a stream: never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`,
 * always with `FORCE_COLOR` set (other than `0`), else only on a TTY.
 */
export function shouldUseColor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

/** What the renderer remembers between events. Never mutated: each call returns a new one. */
export interface RenderState {
  /** What was written last. */
  readonly section: 'none' | 'reasoning' | 'text' | 'tool' | 'usage';
  /** The reasoning part being written (`outputIndex:kind:index`), to separate parts. */
  readonly reasoningPart?: string;
  /** The tool call whose arguments are being written. */
  readonly toolCallId?: string;
  /** How much of each tool call's raw argument JSON was written, by call id. */
  readonly toolArgsWritten: Readonly<Record<string, number>>;
  /** Whether the output ends with a newline (or nothing was written). */
  readonly atLineStart: boolean;
}

export const initialRenderState: RenderState = { section: 'none', toolArgsWritten: {}, atLineStart: true };

/** The result of rendering one event. */
export interface Rendered {
  state: RenderState;
  output: string;
}

/**
 * What goes before a new section: nothing at the very start, a line break between two tool
 * calls, else a blank line.
 */
function separator(section: RenderState['section'], atLineStart: boolean, nextIsTool = false): string {
  if (section === 'none') return '';
  if (nextIsTool && section === 'tool') return atLineStart ? '' : '\n';
  return atLineStart ? '\n' : '\n\n';
}

function endsLine(output: string, previous: boolean): boolean {
  return output === '' ? previous : output.endsWith('\n');
}

function toolHeader(call: Pick<ToolCall, 'name'>, style: Style): string {
  return `${style.tool(`⚙ ${call.name}`)} `;
}

function argsOf(call: ToolCall): string {
  if (call.rawInputJson !== undefined && call.rawInputJson !== '') return call.rawInputJson;
  return JSON.stringify(call.input ?? {});
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `usage: 1,234 input tokens (1,024 cached) · 321 output tokens (128 reasoning)`. */
export function formatUsage(usage: Usage): string {
  const input = `${formatCount(usage.inputTokens)} input tokens${
    usage.cacheReadInputTokens ? ` (${formatCount(usage.cacheReadInputTokens)} cached)` : ''
  }`;
  const output = `${formatCount(usage.outputTokens)} output tokens${
    usage.reasoningTokens ? ` (${formatCount(usage.reasoningTokens)} reasoning)` : ''
  }`;
  return `usage: ${input} · ${output}`;
}

/**
 * Renders one event for people.
 *
 * 1. Text deltas are written as they come; reasoning deltas dimmed, under a `thinking` line,
 *    with a blank line between sections and between reasoning parts.
 * 2. A tool call shows `⚙ name` and then its argument JSON as it streams; `tool-calls` writes
 *    whatever was not streamed yet (all of it for a call that had no deltas).
 * 3. `usage` is a dim line at the end; `done` reports an incomplete response and ends the
 *    line; `content-block` shows nothing (its content was already shown).
 *
 * @param state The state after the previous event ({@link initialRenderState} first).
 * @param event The event.
 * @param style Colours (or none).
 * @return The text to write and the next state.
 */
export function renderEvent(state: RenderState, event: CodexEvent, style: Style): Rendered {
  let output = '';
  let next: RenderState = state;
  switch (event.type) {
    case 'reasoning-delta': {
      const part = `${event.outputIndex}:${event.kind}:${event.index}`;
      if (state.section !== 'reasoning') {
        output += `${separator(state.section, state.atLineStart)}${style.dim(style.bold('thinking'))}\n`;
      } else if (state.reasoningPart !== part) {
        output += state.atLineStart ? '\n' : '\n\n';
      }
      output += style.dim(event.delta);
      next = { ...state, section: 'reasoning', reasoningPart: part };
      break;
    }
    case 'text-delta': {
      if (state.section !== 'text') output += separator(state.section, state.atLineStart);
      output += event.delta;
      next = { ...state, section: 'text' };
      break;
    }
    case 'tool-call-delta': {
      const call = event.toolCall;
      const raw = call.rawInputJson ?? '';
      const written = state.toolArgsWritten[call.id];
      if (written === undefined || state.section !== 'tool' || state.toolCallId !== call.id) {
        // A new call, or one resumed after another: its header, then its arguments so far.
        output += `${separator(state.section, state.atLineStart, true)}${toolHeader(call, style)}${raw}`;
      } else if (raw.length > written) {
        output += raw.slice(written);
      }
      next = {
        ...state,
        section: 'tool',
        toolCallId: call.id,
        toolArgsWritten: { ...state.toolArgsWritten, [call.id]: Math.max(raw.length, written ?? 0) },
      };
      break;
    }
    case 'tool-calls': {
      let section = state.section;
      let atLineStart = state.atLineStart;
      // Only the call being written when the list arrives can be finished in place.
      let inProgress = state.section === 'tool' ? state.toolCallId : undefined;
      for (const call of event.toolCalls) {
        const args = argsOf(call);
        const written = state.toolArgsWritten[call.id];
        const current = inProgress === call.id;
        inProgress = undefined;
        if (current && written !== undefined && written <= args.length) {
          output += args.slice(written);
        } else {
          output += `${separator(section, atLineStart, true)}${toolHeader(call, style)}${args}`;
        }
        output += ` ${style.dim(`(${call.id})`)}\n`;
        section = 'tool';
        atLineStart = true;
      }
      next = { ...state, section, toolCallId: undefined, toolArgsWritten: {} };
      break;
    }
    case 'usage': {
      output += `${separator(state.section, state.atLineStart)}${style.dim(formatUsage(event.usage))}\n`;
      next = { ...state, section: 'usage' };
      break;
    }
    case 'content-block':
      break;
    case 'done': {
      if (event.status === 'incomplete') {
        if (!state.atLineStart) output += '\n';
        output += `${style.warn(`incomplete: ${event.incompleteReason ?? 'no reason given'}`)}\n`;
      } else if (!state.atLineStart) {
        output += '\n';
      }
      break;
    }
  }
  return { state: { ...next, atLineStart: endsLine(output, state.atLineStart) }, output };
}

/** One NDJSON line for `--json`. */
export function renderJsonLine(event: CodexEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * The one-line message of a failure: `error: <message> (<code>, HTTP <status>)`, no stack,
 * secrets redacted.
 *
 * @param error What the stream failed with.
 * @param secrets Tokens to redact.
 * @return The line, without a trailing newline.
 */
export function formatError(error: unknown, secrets: readonly (string | undefined)[] = []): string {
  let message: string;
  if (error instanceof CodexError) {
    const details = [error.code];
    if (error instanceof CodexHttpError) details.push(`HTTP ${error.status}`);
    message = `${error.message} (${details.join(', ')})`;
  } else if (error instanceof Error) {
    message = `${error.name}: ${error.message}`;
  } else {
    message = String(error);
  }
  return `error: ${redactText(message, secrets)}`;
}

/**
 * The `--json` line of a failure, so a consumer of the NDJSON stream sees it in the stream:
 * `{"type":"error","code":…,"message":…}`, the message as `formatError` words it (no stack,
 * secrets redacted) without its `error: ` prefix and code suffix.
 *
 * @param error What the stream failed with.
 * @param secrets Tokens to redact.
 * @return The line, with its trailing newline.
 */
export function renderJsonError(error: unknown, secrets: readonly (string | undefined)[] = []): string {
  const code = error instanceof CodexError ? error.code : 'ERR_UNEXPECTED';
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  return `${JSON.stringify({ type: 'error', code, message })}\n`;
}
