/*
 * A fake Kubernetes API server for msw: lists with resourceVersions, watch streams the test
 * drives, 410 Gone for compacted versions, 404 for CRDs not installed. Used by the watcher's
 * tests and the watch refresher's.
 */
import { http, HttpResponse } from 'msw';
import { LISTED_KINDS, NAMED_CONFIG_MAPS } from '../sources/kinds';

/** The watch streams of a cluster: every listed kind, the revisions' and the named ConfigMaps. */
export const WATCHED_STREAMS =
  LISTED_KINDS.length + 1 + NAMED_CONFIG_MAPS.length;

const encoder = new TextEncoder();

export interface Stream {
  path: string;
  query: URLSearchParams;
  send(text: string): void;
  /** Ends the stream as the server does at `timeoutSeconds`. */
  end(): void;
  /** Cuts the connection. */
  cut(): void;
  closed: boolean;
}

export type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    managedFields?: unknown;
  };
  [key: string]: unknown;
};

/**
 * A fake API server: every path is an empty list at the current resourceVersion unless objects
 * were put there; `?watch=1` opens a stream the test drives (events are sent to it by `emit`).
 * Like a real server it answers HTTP 410 to a watch from a resourceVersion older than
 * `compactedBefore`, and 404 to paths in `notFound`.
 */
/** The fake API class for one server URL and the token it accepts. */
export function fakeKubernetesApi(API: string, TOKEN: string) {
  return class FakeApi {
    rv = 100;
    /** Per path: watches from an older resourceVersion answer 410 Gone. */
    readonly compactedBefore = new Map<string, number>();
    readonly store = new Map<string, Map<string, Obj>>();
    readonly notFound = new Set<string>();
    readonly status = new Map<string, number>();
    readonly streams: Stream[] = [];
    readonly requests: string[] = [];
    listBody?: (path: string) => unknown;

    handler = http.get(`${API}/*`, ({ request }) => {
      const url = new URL(request.url);
      const path = url.pathname;
      this.requests.push(path + url.search);
      if (request.headers.get('authorization') !== `Bearer ${TOKEN}`)
        return new HttpResponse(null, { status: 401 });
      if (this.notFound.has(path))
        return new HttpResponse(null, { status: 404 });
      const status = this.status.get(path);
      if (status)
        return HttpResponse.json(
          { kind: 'Status', code: status, message: `no: ${TOKEN}` },
          { status },
        );
      const fieldName = url.searchParams
        .get('fieldSelector')
        ?.replace(/^metadata\.name=/, '');
      const objects = [...(this.store.get(path)?.values() ?? [])].filter(
        o => !fieldName || o.metadata.name === fieldName,
      );
      if (url.searchParams.get('watch') === '1') {
        const from = Number(url.searchParams.get('resourceVersion'));
        if (from && from < (this.compactedBefore.get(path) ?? 0))
          return HttpResponse.json(
            { kind: 'Status', code: 410, reason: 'Expired' },
            { status: 410 },
          );
        return this.openStream(path, url.searchParams);
      }
      if (this.listBody) {
        const body = this.listBody(path);
        if (body !== undefined) return HttpResponse.json(body);
      }
      return HttpResponse.json({
        kind: 'List',
        metadata: { resourceVersion: String(this.rv) },
        // List items carry no apiVersion/kind.
        items: objects.map(({ apiVersion, kind, ...rest }) => rest),
      });
    });

    openStream(path: string, query: URLSearchParams) {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      const stream: Stream = {
        path,
        query,
        closed: false,
        send: text => {
          if (!stream.closed) controller.enqueue(encoder.encode(text));
        },
        end: () => {
          if (stream.closed) return;
          stream.closed = true;
          controller.close();
        },
        cut: () => {
          if (stream.closed) return;
          stream.closed = true;
          controller.error(new Error('connection reset'));
        },
      };
      this.streams.push(stream);
      // The mock transport sends the headers with the first chunk: a blank line (ignored by
      // the watcher) stands for the headers a real API server sends at once.
      stream.send('\n');
      return new HttpResponse(body, {
        headers: { 'content-type': 'application/json' },
      });
    }

    /**
     * The live stream of a path, if any: the latest one, unless the server closed it (the mock
     * transport does not tell the server when the client drops a stream).
     */
    open(path: string): Stream[] {
      const latest = this.streamsOf(path).at(-1);
      return latest && !latest.closed ? [latest] : [];
    }

    /** Every watch stream opened on a path. */
    streamsOf(path: string): Stream[] {
      return this.streams.filter(s => s.path === path);
    }

    /** Stores a change and sends it to the open streams of `path`; returns the event line. */
    emit(
      path: string,
      type: 'ADDED' | 'MODIFIED' | 'DELETED',
      object: Obj & { apiVersion: string; kind: string },
      send = true,
    ): string {
      this.rv++;
      const stored = {
        ...object,
        metadata: { ...object.metadata, resourceVersion: String(this.rv) },
      };
      const objects = this.store.get(path) ?? new Map<string, Obj>();
      this.store.set(path, objects);
      const id = `${object.metadata.namespace}/${object.metadata.name}`;
      if (type === 'DELETED') objects.delete(id);
      else objects.set(id, stored);
      const line = `${JSON.stringify({ type, object: stored })}\n`;
      if (send) for (const s of this.open(path)) s.send(line);
      return line;
    }

    /** Puts an object without any event (state before the watcher starts). */
    put(path: string, object: Obj & { apiVersion: string; kind: string }) {
      this.emit(path, 'ADDED', object, false);
    }

    bookmark(path: string) {
      for (const s of this.open(path))
        s.send(
          `${JSON.stringify({
            type: 'BOOKMARK',
            object: {
              kind: 'Pod',
              apiVersion: 'v1',
              metadata: { resourceVersion: String(this.rv) },
            },
          })}\n`,
        );
    }

    /** Whether every kind (36) has a watch open. */
    allWatching(): boolean {
      return (
        new Set(
          this.streams.map(s => `${s.path}?${s.query.get('fieldSelector')}`),
        ).size === WATCHED_STREAMS
      );
    }

    requestsTo(path: string): string[] {
      return this.requests.filter(r => r.split('?')[0] === path);
    }
  };
}
