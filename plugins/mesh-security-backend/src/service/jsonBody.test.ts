import express from 'express';
import request from 'supertest';
import { jsonBody, sendJson } from './jsonBody';

describe('jsonBody', () => {
  class WithToJson {
    constructor(private readonly n: number) {}
    toJSON() {
      return this.n > 0 ? { n: this.n } : undefined;
    }
  }

  it('gives the bytes of JSON.stringify, whatever JSON.stringify leaves out or turns to null', () => {
    const value = {
      text: 'plain',
      unicode: 'é — 😀',
      escapes: '"\\\n\u2028',
      numbers: [0, -1.5, 1e21, NaN, Infinity],
      skipped: undefined,
      fn: () => 1,
      symbol: Symbol('s'),
      date: new Date(Date.UTC(2026, 11, 3)),
      held: new WithToJson(2),
      dropped: new WithToJson(0),
      list: [undefined, () => 1, null, { a: undefined, b: [1, { c: 'd' }] }],
      empty: { object: {}, list: [] },
      nested: { deeper: { deepest: [{ x: 1 }] } },
    };
    for (const depth of [0, 1, 2, 3, 5]) {
      expect(jsonBody(value, depth).toString('utf8')).toBe(
        JSON.stringify(value),
      );
    }
    expect(jsonBody([undefined]).toString()).toBe('[null]');
    expect(jsonBody('text').toString()).toBe('"text"');
  });

  it('keeps large answers exact across chunks (many elements, characters outside ASCII)', () => {
    const value = {
      workloads: Array.from({ length: 400 }, (_, i) => ({
        name: `w-${i}`,
        reason: `Ünïcödé ${'x'.repeat((i % 700) + 300)} ${String.fromCodePoint(
          0x1f600 + (i % 50),
        )}`,
        ports: [{ port: 8080 + i, mtls: 'STRICT' }],
      })),
      findings: Array.from({ length: 300 }, (_, i) => ({ code: `MS${i}` })),
    };
    const text = JSON.stringify(value);
    expect(text.length).toBeGreaterThan(128 * 1024);
    const bytes = jsonBody(value);
    expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(text));
  });

  it('is sent with the bytes and headers res.json sends, without an ETag', async () => {
    const body = { a: [1, 'é'], b: undefined };
    const app = express();
    app.get('/own', (_req, res) => sendJson(res, body));
    app.get('/express', (_req, res) => {
      res.json(body);
    });
    const own = await request(app).get('/own');
    const reference = await request(app).get('/express');
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe(reference.headers['content-type']);
    expect(own.headers['content-length']).toBe(
      reference.headers['content-length'],
    );
    // The answers name their instant and their data's age: a tag would hardly ever match.
    expect(reference.headers.etag).toBeDefined();
    expect(own.headers.etag).toBeUndefined();
    expect(own.text).toBe(reference.text);
  });

  it('answers HEAD with the headers and no body', async () => {
    const app = express();
    app.get('/own', (_req, res) => sendJson(res, { a: 'é'.repeat(10) }));
    const head = await request(app).head('/own');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(
      String(Buffer.byteLength(JSON.stringify({ a: 'é'.repeat(10) }))),
    );
    expect(head.text).toBeUndefined();
  });
});
