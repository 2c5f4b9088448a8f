/** Reading and recording a request the mock received. */
import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from './types.js';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Header names lower-cased; repeated headers joined with `, `. */
export function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function recordRequest(index: number, req: IncomingMessage, raw: Buffer): RecordedRequest {
  const headers = headersOf(req);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const body = raw.toString('utf8');
  let json: unknown;
  if (body.length > 0) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { index, method: req.method ?? 'GET', url, path: q === -1 ? url : url.slice(0, q), headers, body, json, transport: 'http' };
}
