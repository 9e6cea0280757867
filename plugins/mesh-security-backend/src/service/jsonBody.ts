import type { Response } from 'express';

/** Strings are joined into chunks of about this many characters before they are encoded. */
const CHUNK = 32 * 1024;

/**
 * The UTF-8 bytes of `JSON.stringify(value)`, serialized part by part so that no string of the
 * answer reaches V8's large-object size (128 KiB).
 *
 * V8 builds a `JSON.stringify` result as a chain of parts and flattens it on first read (here:
 * the encoding into the response's bytes). A flat string over 128 KiB is allocated in the
 * large-object space, one memory mapping each: on an entity view with observed traffic (about
 * 130–165 KB of JSON) that first read took 0.8–1 ms, longer than the serialization itself, and
 * about 30 µs for an answer of 54 KB (docs/benchmarks.md, "The answer's bytes"). Serialized here,
 * the top-level members and the elements of arrays down to `depth` levels are stringified one
 * by one, joined into chunks of about 32 K characters and encoded chunk by chunk: the same
 * bytes, without the large string.
 */
export function jsonBody(value: unknown, depth = 2): Buffer {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = () => {
    if (pending.length === 0) return;
    chunks.push(Buffer.from(pending.join(''), 'utf8'));
    pending = [];
    pendingLength = 0;
  };
  const push = (text: string) => {
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= CHUNK) flush();
  };
  /** Whether `write` serializes `v` part by part (else with one `JSON.stringify`). */
  const inParts = (v: unknown, levels: number): v is object =>
    levels > 0 &&
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function';
  const write = (v: unknown, levels: number): void => {
    if (!inParts(v, levels)) {
      // In an array, what JSON.stringify cannot write is null.
      push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) push(',');
        write(v[i], levels - 1);
      }
      push(']');
      return;
    }
    const record = v as Record<string, unknown>;
    push('{');
    let separator = '';
    for (const key of Object.keys(record)) {
      const member = record[key];
      const name = `${separator}${JSON.stringify(key)}:`;
      if (inParts(member, levels - 1)) {
        push(name);
        write(member, levels - 1);
      } else {
        // What JSON.stringify leaves out of an object (undefined, functions, symbols, a
        // toJSON answering undefined) it answers undefined for.
        const text = JSON.stringify(member);
        if (text === undefined) continue;
        push(name);
        push(text);
      }
      separator = ',';
    }
    push('}');
  };
  write(value, depth);
  flush();
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * Sends `body` as `res.json` would (same bytes, same `Content-Type` and `Content-Length`),
 * serialized by {@link jsonBody}, but without an `ETag`: an entity answer names the instant it
 * was computed (`generatedAt`) and both page-view answers the age of their data in seconds, so a
 * conditional request would hardly ever be answered 304, while hashing the body for the tag took
 * 0.09–0.11 ms per 165 KB answer (docs/benchmarks.md, "Observed traffic in page views").
 */
export function sendJson(res: Response, body: unknown): void {
  const bytes = jsonBody(body);
  res.type('application/json');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}
