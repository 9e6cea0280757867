import { Finding, JsonObject, SnapshotPolicy } from '../../model';
import { drRef, tlsModeFor } from '../clientTls';
import { EngineContext, WorkloadInfo } from '../context';
import { paIsNamespaceWide, paSelector } from '../mtls';
import { selectorMatches } from '../match';
import { define, makeFinding } from './make';
import { isObject } from '../validate/check';

/** MS1xx: mTLS (PeerAuthentication, DestinationRule, mesh membership). */
export const MTLS_FINDINGS = {
  permissive: define(
    'MS101',
    'medium',
    'Port accepts plaintext (PERMISSIVE)',
    'A meshed workload port accepts both mTLS and plaintext, so any client that reaches it can skip authentication.',
    'Set a PeerAuthentication with `mtls.mode: STRICT` for the workload or namespace (Istio), or a default inbound policy `all-authenticated`/`cluster-authenticated` (Linkerd), once all clients are meshed.',
  ),
  disabled: define(
    'MS102',
    'high',
    'mTLS disabled on a meshed port',
    'A port of a meshed workload does not use mTLS: PeerAuthentication DISABLE, or the port bypasses the proxy (`traffic.sidecar.istio.io/excludeInboundPorts`, `config.linkerd.io/skip-inbound-ports`).',
    'Remove the DISABLE mode or the port exclusion unless the port must bypass the mesh (e.g. a health port), and document why.',
  ),
  strictBehindDisable: define(
    'MS103',
    'critical',
    'STRICT server behind a DestinationRule that disables mTLS',
    'A DestinationRule sets `tls.mode` DISABLE/SIMPLE/MUTUAL for a host whose workloads only accept Istio mTLS: sidecar clients send traffic the server rejects.',
    'Set `tls.mode: ISTIO_MUTUAL` (or remove the `tls` block to use auto mTLS) in the DestinationRule.',
  ),
  portLevelWithoutSelector: define(
    'MS104',
    'medium',
    'portLevelMtls without a selector',
    'Istio honours `portLevelMtls` only on a PeerAuthentication with a workload selector; on a namespace- or mesh-wide policy it is ignored (and the API server rejects it).',
    'Move the port-level settings into a PeerAuthentication with `selector.matchLabels`.',
  ),
  severalMeshWide: define(
    'MS105',
    'medium',
    'Several mesh-wide PeerAuthentications',
    'More than one PeerAuthentication without selector exists in the root namespace; Istio applies only the oldest.',
    'Keep a single mesh-wide PeerAuthentication in the root namespace.',
  ),
  severalNamespaceWide: define(
    'MS106',
    'medium',
    'Several namespace-wide PeerAuthentications',
    'More than one PeerAuthentication without selector exists in one namespace; Istio applies only the oldest.',
    'Keep one namespace-wide PeerAuthentication per namespace.',
  ),
  severalForWorkload: define(
    'MS107',
    'low',
    'Several PeerAuthentications select one workload',
    'More than one workload-selector PeerAuthentication selects the same workload; Istio applies only the oldest.',
    'Merge them into one PeerAuthentication.',
  ),
  notMeshed: define(
    'MS108',
    'medium',
    'Workload outside the mesh',
    'The workload has no mesh proxy: its traffic is plaintext and no mesh authorization applies.',
    'Enable sidecar injection (namespace label `istio-injection=enabled`), ambient enrollment (`istio.io/dataplane-mode=ambient`) or Linkerd injection (`linkerd.io/inject: enabled`) and restart the workload.',
  ),
  peerAuthSelectsNothing: define(
    'MS109',
    'low',
    'PeerAuthentication selects no workload',
    'The selector of the PeerAuthentication matches no workload in its namespace.',
    'Fix the selector labels or delete the policy.',
  ),
  mixedPods: define(
    'MS110',
    'medium',
    'Pods differ in mesh membership',
    'Some live pods of the workload have a proxy and some do not (typically injection was enabled without a restart).',
    'Restart the workload (`kubectl rollout restart`) so that every pod gets the proxy.',
  ),
  portLevelUnknownPort: define(
    'MS111',
    'low',
    'portLevelMtls names a port no selected workload exposes',
    'The port keys of `portLevelMtls` are container ports; a key that no selected workload declares has no effect.',
    'Use the container (target) port number, not the Service port.',
  ),
  plaintextInMesh: define(
    'MS112',
    'medium',
    'DestinationRule sends plaintext to a meshed workload',
    'A DestinationRule sets `tls.mode: DISABLE` for a host served by meshed workloads that accept plaintext: traffic inside the mesh is unencrypted.',
    'Remove the `tls` override (auto mTLS) or set `ISTIO_MUTUAL`.',
  ),
  unknownMode: define(
    'MS113',
    'info',
    'mTLS mode cannot be determined',
    'Data needed to decide the mTLS mode is missing (e.g. conflicting policies without creation times, or an unknown namespace).',
    'Include the missing objects in the input, or keep a single policy per scope.',
  ),
};

type P = SnapshotPolicy<JsonObject>;
const objOf = (p: P, cluster: string) => ({
  kind: p.kind,
  namespace: p.namespace,
  name: p.name,
  cluster,
});

/** Findings about one workload's ports and pods. */
export function workloadMtlsFindings(
  ctx: EngineContext,
  info: WorkloadInfo,
): Finding[] {
  const w = info.w;
  const object = {
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    cluster: ctx.options.cluster,
  };
  const out: Finding[] = [];
  const m = info.membership;
  if (m.unknown) {
    out.push(
      makeFinding(
        MTLS_FINDINGS.unknownMode,
        object,
        `${w.kind} ${w.namespace}/${w.name}: ${m.unknown}`,
      ),
    );
    return out;
  }
  if (m.mesh === 'none') {
    out.push(
      makeFinding(
        MTLS_FINDINGS.notMeshed,
        object,
        `${w.kind} ${w.namespace}/${w.name} has no mesh proxy: its ports accept plaintext only`,
      ),
    );
    return out;
  }
  if (m.mixed && m.pods.meshed < m.pods.total)
    out.push(
      makeFinding(
        MTLS_FINDINGS.mixedPods,
        object,
        `${w.kind} ${w.namespace}/${w.name}: ${m.mixed}`,
      ),
    );
  for (const p of info.ports) {
    if (p.mtls === 'PERMISSIVE')
      out.push(
        makeFinding(
          MTLS_FINDINGS.permissive,
          object,
          `${w.kind} ${w.namespace}/${w.name} port ${p.port} accepts plaintext: ${p.reason}`,
        ),
      );
    if (p.mtls === 'DISABLED')
      out.push(
        makeFinding(
          MTLS_FINDINGS.disabled,
          object,
          `${w.kind} ${w.namespace}/${w.name} port ${p.port} does not use mTLS: ${p.reason}`,
        ),
      );
    if (p.mtls === 'UNKNOWN')
      out.push(
        makeFinding(
          MTLS_FINDINGS.unknownMode,
          object,
          `${w.kind} ${w.namespace}/${w.name} port ${p.port}: ${p.reason}`,
        ),
      );
  }
  if (m.mesh === 'istio-sidecar' || m.mesh === 'istio-ambient') {
    const selecting = ctx.peerAuth.forWorkload(w.namespace, w.labels);
    if (selecting.length > 1)
      out.push(
        makeFinding(
          MTLS_FINDINGS.severalForWorkload,
          object,
          `${selecting.length} PeerAuthentications select ${w.namespace}/${
            w.name
          }: ${selecting.map(p => p.name).join(', ')}`,
        ),
      );
  }
  return out;
}

/** Findings about PeerAuthentications and DestinationRules themselves. */
export function policyMtlsFindings(ctx: EngineContext): Finding[] {
  const out: Finding[] = [];
  const cluster = ctx.options.cluster;
  const meshWide = ctx.peerAuth.meshWide();
  if (meshWide.length > 1)
    out.push(
      makeFinding(
        MTLS_FINDINGS.severalMeshWide,
        objOf(meshWide[0], cluster),
        `${meshWide.length} mesh-wide PeerAuthentications in ${
          ctx.options.rootNamespace
        }: ${meshWide.map(p => p.name).join(', ')}; only the oldest applies`,
      ),
    );
  const nsWide = new Map<string, P[]>();
  for (const p of ctx.snapshot.istio.peerAuthentications) {
    if (p.namespace !== ctx.options.rootNamespace && paIsNamespaceWide(p))
      nsWide.set(p.namespace, [...(nsWide.get(p.namespace) ?? []), p]);
    // MS104 (portLevelMtls without selector) is reported by the reader, which sees the raw object.
  }
  for (const [ns, list] of nsWide) {
    if (list.length > 1)
      out.push(
        makeFinding(
          MTLS_FINDINGS.severalNamespaceWide,
          objOf(list[0], cluster),
          `${list.length} namespace-wide PeerAuthentications in ${ns}: ${list
            .map(p => p.name)
            .join(', ')}; only the oldest applies`,
        ),
      );
  }
  for (const p of ctx.peerAuth.selectorPolicies()) {
    const selected = (ctx.byNamespace.get(p.namespace) ?? []).filter(w =>
      selectorMatches(paSelector(p), w.labels),
    );
    if (selected.length === 0) {
      out.push(
        makeFinding(
          MTLS_FINDINGS.peerAuthSelectsNothing,
          objOf(p, cluster),
          `PeerAuthentication ${p.namespace}/${p.name} selects no workload in ${p.namespace}`,
        ),
      );
      continue;
    }
    const plm = isObject(p.spec.portLevelMtls)
      ? Object.keys(p.spec.portLevelMtls)
      : [];
    for (const key of plm) {
      if (!selected.some(w => w.ports.some(cp => String(cp.port) === key))) {
        out.push(
          makeFinding(
            MTLS_FINDINGS.portLevelUnknownPort,
            objOf(p, cluster),
            `PeerAuthentication ${p.namespace}/${p.name} sets portLevelMtls for port ${key}, which no selected workload declares as a container port`,
          ),
        );
      }
    }
  }
  out.push(...destinationRuleFindings(ctx));
  return out;
}

function destinationRuleFindings(ctx: EngineContext): Finding[] {
  const out: Finding[] = [];
  const cluster = ctx.options.cluster;
  for (const s of ctx.snapshot.services) {
    if (!s.selector || Object.keys(s.selector).length === 0) continue;
    const fqdn = `${s.name}.${s.namespace}.svc.cluster.local`;
    const dr = ctx.destinationRules.ruleFor(s.namespace, {}, fqdn, s.namespace);
    if (!dr) continue;
    const workloads = (ctx.byNamespace.get(s.namespace) ?? []).filter(w =>
      selectorMatches({ matchLabels: s.selector! }, w.labels),
    );
    for (const sp of s.ports) {
      const mode = tlsModeFor(dr, sp.port);
      if (!mode || mode === 'ISTIO_MUTUAL') continue;
      for (const w of workloads) {
        const info = ctx.info(w);
        if (
          info.membership.mesh !== 'istio-sidecar' &&
          info.membership.mesh !== 'istio-ambient'
        )
          continue;
        const tp =
          typeof sp.targetPort === 'number'
            ? sp.targetPort
            : w.ports.find(p => p.name === sp.targetPort)?.port ?? sp.port;
        const server = ctx.portMode(info, tp);
        if (server.mtls === 'STRICT') {
          out.push(
            makeFinding(
              MTLS_FINDINGS.strictBehindDisable,
              objOf(dr, cluster),
              `${drRef(dr)} sets tls.mode ${mode} for ${fqdn}:${sp.port}, but ${
                w.namespace
              }/${w.name} port ${tp} is STRICT (${
                server.reason
              }): sidecar clients will be rejected`,
            ),
          );
        } else if (mode === 'DISABLE' && server.mtls === 'PERMISSIVE') {
          out.push(
            makeFinding(
              MTLS_FINDINGS.plaintextInMesh,
              objOf(dr, cluster),
              `${drRef(dr)} sends plaintext to ${fqdn}:${
                sp.port
              }, served by meshed ${w.namespace}/${w.name}`,
            ),
          );
        }
      }
    }
  }
  return out;
}
