import { Observable } from 'rxjs';
import { request, type Dispatcher } from 'undici';
import { AuthError } from '../../errors.js';
import { redactText } from '../../redact/index.js';

/** An answer of the sign-in server: its status and body (parsed JSON, or `undefined`). */
export interface IssuerAnswer {
  status: number;
  json: unknown;
  /** The body as text, at most {@link MAX_ANSWER_BYTES}, for error messages (redact before showing). */
  text: string;
}

/** Answers are read up to this size: a server that never stops cannot hold a sign-in open. */
const MAX_ANSWER_BYTES = 1 << 20;
const REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link postToIssuer}. */
export interface PostOptions {
  /** JSON or form body. */
  body: { json: Record<string, unknown> } | { form: Record<string, string> };
  dispatcher?: Dispatcher;
  /** Strings that must not appear in an error (codes, verifiers). */
  secrets: readonly string[];
  /** What the request is, for error messages: "the code exchange". */
  what: string;
}

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const piece = Buffer.from(chunk).subarray(0, MAX_ANSWER_BYTES - size);
    chunks.push(piece);
    size += piece.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POSTs to the sign-in server. Cold: one request per subscription; unsubscribing aborts it.
 * Network failures become `AuthError`s whose message holds none of `secrets`.
 *
 * @param url The endpoint.
 * @param options The body, dispatcher and the secrets to keep out of errors.
 * @return An Observable of the one answer, whatever its status.
 */
export function postToIssuer(url: string, options: PostOptions): Observable<IssuerAnswer> {
  return new Observable<IssuerAnswer>((subscriber) => {
    const controller = new AbortController();
    const isJson = 'json' in options.body;
    const payload = 'json' in options.body ? JSON.stringify(options.body.json) : new URLSearchParams(options.body.form).toString();
    void (async () => {
      try {
        const response = await request(url, {
          method: 'POST',
          headers: { 'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: payload,
          signal: controller.signal,
          headersTimeout: REQUEST_TIMEOUT_MS,
          bodyTimeout: REQUEST_TIMEOUT_MS,
          ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        });
        const text = await readCapped(response.body);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        subscriber.next({ status: response.statusCode, json, text });
        subscriber.complete();
      } catch (error) {
        if (controller.signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        // No cause: undici's errors can quote the request.
        subscriber.error(
          new AuthError(`Sign-in failed: ${options.what} request to ${new URL(url).origin} failed: ${redactText(reason, options.secrets)}`),
        );
      }
    })();
    return () => controller.abort();
  });
}

/** The short, redacted reason of a refused request: the server's `error_description`/`error`/`message`, else the body. */
export function refusalReason(answer: IssuerAnswer, secrets: readonly string[]): string {
  const body = answer.json as Record<string, unknown> | undefined;
  const nested = typeof body?.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : undefined;
  const reason =
    (typeof body?.error_description === 'string' ? body.error_description : undefined) ??
    (typeof body?.error === 'string' ? body.error : undefined) ??
    (typeof nested?.message === 'string' ? nested.message : undefined) ??
    answer.text.slice(0, 500);
  return redactText(reason, secrets);
}
