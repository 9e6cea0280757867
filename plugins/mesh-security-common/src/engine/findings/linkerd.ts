import {
  Finding,
  JsonObject,
  LabelSelector,
  SnapshotPolicy,
} from '../../model';
import { EngineContext } from '../core/context';
import { authenticationIsAllowAll } from '../linkerd/authentication';
import { selectorMatches } from '../core/match';
import { isObject } from '../validate/check';
import { GATEWAY_HTTP_ROUTE, linkerdRefTarget } from '../validate/linkerd';
import { AUTHZ_FINDINGS } from './authorization';
import { makeFinding } from './make';

type P = SnapshotPolicy<JsonObject>;

/** Linkerd policy findings (MS211–MS214, MS210 for Linkerd workloads). */
export function linkerdFindings(ctx: EngineContext): Finding[] {
  const out: Finding[] = [];
  const cluster = ctx.options.cluster;
  const obj = (p: P) => ({
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    cluster,
  });
  for (const ap of ctx.snapshot.linkerd.authorizationPolicies) {
    const refs = [
      isObject(ap.spec.targetRef) ? ap.spec.targetRef : {},
      ...(Array.isArray(ap.spec.requiredAuthenticationRefs)
        ? ap.spec.requiredAuthenticationRefs.filter(isObject)
        : []),
    ];
    for (const r of refs) {
      // Kinds the engine does not read (the Gateway API's GRPCRoutes) cannot be looked up.
      const kind = linkerdRefTarget(r);
      if (!kind || kind === 'Namespace' || kind === 'ServiceAccount') continue;
      const ns =
        typeof r.namespace === 'string' && r.namespace
          ? r.namespace
          : ap.namespace;
      if (!ctx.linkerd.lookup(kind, ns, String(r.name))) {
        // The engine reads the Gateway API's HTTPRoutes attached to a Server only.
        const what =
          kind === GATEWAY_HTTP_ROUTE
            ? `the Gateway API HTTPRoute ${ns}/${String(
                r.name,
              )}, which does not exist or is attached to no Server`
            : `${kind} ${ns}/${String(r.name)}, which does not exist`;
        out.push(
          makeFinding(
            AUTHZ_FINDINGS.linkerdMissingRef,
            obj(ap),
            `references ${what}: Linkerd ignores this authorization`,
          ),
        );
      }
    }
  }
  for (const a of [
    ...ctx.snapshot.linkerd.meshTlsAuthentications,
    ...ctx.snapshot.linkerd.networkAuthentications,
  ]) {
    if (authenticationIsAllowAll(a))
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.linkerdAllowAll,
          obj(a),
          `accepts every ${
            a.kind === 'MeshTLSAuthentication' ? 'identity' : 'network'
          }`,
        ),
      );
  }
  const claimed = new Map<string, P[]>();
  for (const s of ctx.linkerd.allServers()) {
    const sel = isObject(s.spec.podSelector)
      ? (s.spec.podSelector as LabelSelector)
      : undefined;
    if (!sel) continue;
    const selected = (ctx.byNamespace.get(s.namespace) ?? []).filter(w =>
      selectorMatches(sel, w.labels),
    );
    const exposing = selected.filter(w =>
      w.ports.some(p => p.port === s.spec.port || p.name === s.spec.port),
    );
    if (exposing.length === 0) {
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.serverSelectsNothing,
          obj(s),
          selected.length === 0
            ? `selects no pod in ${s.namespace}`
            : `selects ${
                selected.length
              } workload(s), none exposing port ${String(s.spec.port)}`,
        ),
      );
    }
    for (const w of exposing) {
      const port = w.ports.find(
        p => p.port === s.spec.port || p.name === s.spec.port,
      )!.port;
      const key = `${w.namespace}/${w.kind}/${w.name}:${port}`;
      claimed.set(key, [...(claimed.get(key) ?? []), s]);
    }
  }
  for (const [key, servers] of claimed) {
    if (servers.length > 1)
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.severalServers,
          obj(servers[1]),
          `Servers ${servers.map(s => s.name).join(', ')} all select ${key}`,
        ),
      );
  }
  return out;
}
