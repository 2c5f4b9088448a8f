import { catchError, defer, map, of, tap, throwError, timeout, finalize, type Observable, type SchedulerLike } from 'rxjs';
import { sortedJsonStringify } from '../json/sortedJson.js';
import type { ToolCall } from '../types.js';
import { oneLine } from './schema.js';
import { toolOutput } from './toolOutput.js';
import { ToolInputError } from './toolInputError.js';
import type { ExecutableTool, ToolResultEvent } from './types.js';

/** How one step runs its calls. */
export interface ToolRunner {
  tools: ReadonlyMap<string, ExecutableTool>;
  timeoutMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * One tool call as an Observable of its one `tool-result`. It never errors: whatever goes wrong
 * (malformed arguments, an unknown tool, input that fails the schema, a throw, a rejection, an
 * error, a timeout, an output that is not JSON) becomes an `isError` result whose output is a
 * one-line message for the model. Unsubscribing while the call runs aborts its `signal`.
 */
export function runToolCall(runner: ToolRunner, call: ToolCall, step: number): Observable<ToolResultEvent> {
  return defer(() => {
    const failed = (message: string): Observable<ToolResultEvent> =>
      of({ type: 'tool-result', step, callId: call.id, name: call.name, output: oneLine(message), isError: true });
    if (call.inputError !== undefined) {
      return failed(`The arguments of tool "${call.name}" are not valid JSON (${call.inputError}): send one JSON object`);
    }
    const tool = runner.tools.get(call.name);
    if (tool === undefined) {
      const names = [...runner.tools.keys()].map((name) => `"${name}"`).join(', ');
      return failed(`Unknown tool "${call.name}": the tools are ${names || 'none'}`);
    }

    const controller = new AbortController();
    let running = true;
    let output$ = defer(() => toolOutput(tool.execute(call.input, { callId: call.id, step, signal: controller.signal })));
    const timeoutMs = runner.timeoutMs;
    if (timeoutMs !== undefined) {
      output$ = output$.pipe(
        timeout({
          first: timeoutMs,
          scheduler: runner.scheduler,
          with: () => {
            running = false;
            controller.abort(new Error(`timed out after ${timeoutMs} ms`));
            return throwError(() => new ToolTimeoutError(`Tool "${call.name}" timed out after ${timeoutMs} ms`));
          },
        }),
      );
    }
    return output$.pipe(
      tap({ next: () => (running = false), error: () => (running = false) }),
      map((output): ToolResultEvent => {
        // Checked here, so an output the request could not carry is the model's error, not the loop's.
        if (typeof output !== 'string') sortedJsonStringify(output, `the output of tool "${call.name}"`);
        return { type: 'tool-result', step, callId: call.id, name: call.name, output, isError: false };
      }),
      catchError((error: unknown) => failed(toolErrorMessage(call.name, error))),
      finalize(() => {
        if (running) controller.abort(new Error('the agent loop was unsubscribed'));
      }),
    );
  });
}

/** The one-line message the model sees for a failed call. */
function toolErrorMessage(name: string, error: unknown): string {
  if (error instanceof ToolInputError || error instanceof ToolTimeoutError) return error.message;
  const text = error instanceof Error ? error.message || error.name : String(error);
  return `Tool "${name}" failed: ${text}`;
}

/** A call outlived `toolTimeoutMs`. */
class ToolTimeoutError extends Error {
  override name = 'ToolTimeoutError';
}
