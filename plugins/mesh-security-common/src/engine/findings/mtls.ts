import {
  Finding,
  JsonObject,
  SnapshotPolicy,
  SnapshotWorkload,
  FindingDefinition,
} from '../../model';
import { drRef, tlsModeFor } from '../istio/destinationRule';
import { EngineContext, WorkloadInfo } from '../core/context';
import { paIsNamespaceWide, paSelector } from '../istio/peerAuthentication';
import { selectorMatches, serviceSelects, servicesIn } from '../core/match';
import { makeFinding } from './make';
import { isObject } from '../validate/check';
import { carriedByMesh, portName } from '../core/ports';
import { bypassesProxy } from '../core/access';

/** MS1xx: mTLS (PeerAuthentication, DestinationRule, mesh membership). */
export const MTLS_FINDINGS = {
  permissive: {
    code: 'MS101',
    severity: 'medium',
    title: 'Port accepts plaintext (PERMISSIVE)',
    description:
      'A meshed workload port accepts both mTLS and plaintext, so any client that reaches it can skip authentication.',
    fix: 'Set a PeerAuthentication with `mtls.mode: STRICT` for the workload or namespace (Istio), or a default inbound policy `all-authenticated`/`cluster-authenticated` (Linkerd), once all clients are meshed.',
  },
  disabled: {
    code: 'MS102',
    severity: 'high',
    title: 'mTLS disabled on a meshed port',
    description:
      'A port of a meshed workload does not use mTLS: PeerAuthentication DISABLE, or the port bypasses the proxy (`traffic.sidecar.istio.io/excludeInboundPorts`, `config.linkerd.io/skip-inbound-ports`).',
    fix: 'Remove the DISABLE mode or the port exclusion unless the port must bypass the mesh (e.g. a health port), and document why.',
  },
  strictBehindDisable: {
    code: 'MS103',
    severity: 'critical',
    title: 'STRICT server behind a DestinationRule that disables mTLS',
    description:
      'A DestinationRule sets `tls.mode` DISABLE/SIMPLE/MUTUAL for a host whose workloads only accept Istio mTLS: sidecar clients send traffic the server rejects.',
    fix: 'Set `tls.mode: ISTIO_MUTUAL` in the DestinationRule (or, unless the mesh config sets `enableAutoMtls: false`, remove the `tls` block to use auto mTLS).',
  },
  portLevelWithoutSelector: {
    code: 'MS104',
    severity: 'medium',
    title: 'portLevelMtls without a selector',
    description:
      'Istio honours `portLevelMtls` only on a PeerAuthentication with a workload selector; on a namespace- or mesh-wide policy it is ignored (and the API server rejects it).',
    fix: 'Move the port-level settings into a PeerAuthentication with `selector.matchLabels`.',
  },
  severalMeshWide: {
    code: 'MS105',
    severity: 'medium',
    title: 'Several mesh-wide PeerAuthentications',
    description:
      'More than one PeerAuthentication without selector exists in the root namespace; Istio applies only the oldest.',
    fix: 'Keep a single mesh-wide PeerAuthentication in the root namespace.',
  },
  severalNamespaceWide: {
    code: 'MS106',
    severity: 'medium',
    title: 'Several namespace-wide PeerAuthentications',
    description:
      'More than one PeerAuthentication without selector exists in one namespace; Istio applies only the oldest.',
    fix: 'Keep one namespace-wide PeerAuthentication per namespace.',
  },
  severalForWorkload: {
    code: 'MS107',
    severity: 'low',
    title: 'Several PeerAuthentications select one workload',
    description:
      'More than one workload-selector PeerAuthentication selects the same workload; Istio applies only the oldest.',
    fix: 'Merge them into one PeerAuthentication.',
  },
  notMeshed: {
    code: 'MS108',
    // As high as one port with mTLS disabled (MS102): every port of the workload accepts
    // plaintext and no mesh authorization applies, which is never less exposed.
    severity: 'high',
    title: 'Workload outside the mesh',
    description:
      'The workload has no mesh proxy: its traffic is plaintext and no mesh authorization applies.',
    fix: 'Enable sidecar injection (namespace label `istio-injection=enabled`), ambient enrollment (`istio.io/dataplane-mode=ambient`) or Linkerd injection (`linkerd.io/inject: enabled`) and restart the workload.',
  },
  peerAuthSelectsNothing: {
    code: 'MS109',
    severity: 'low',
    title: 'PeerAuthentication selects no workload',
    description:
      'The selector of the PeerAuthentication matches no workload in its namespace.',
    fix: 'Fix the selector labels or delete the policy.',
  },
  mixedPods: {
    code: 'MS110',
    severity: 'medium',
    title: 'Pods differ in mesh membership',
    description:
      'Some live pods of the workload have a proxy and some do not (typically injection was enabled without a restart).',
    fix: 'Restart the workload (`kubectl rollout restart`) so that every pod gets the proxy.',
  },
  portLevelUnknownPort: {
    code: 'MS111',
    severity: 'low',
    title: 'portLevelMtls names a port no selected workload exposes',
    description:
      'The port keys of `portLevelMtls` are container ports; a key that no selected workload declares has no effect.',
    fix: 'Use the container (target) port number, not the Service port.',
  },
  plaintextInMesh: {
    code: 'MS112',
    severity: 'medium',
    title: 'DestinationRule sends plaintext to a meshed workload',
    description:
      'A DestinationRule sets `tls.mode: DISABLE` for a host served by meshed workloads that accept plaintext: traffic inside the mesh is unencrypted.',
    fix: 'Set `ISTIO_MUTUAL`, or remove the `tls` override to use auto mTLS (unless the mesh config sets `enableAutoMtls: false`).',
  },
  unknownMode: {
    code: 'MS113',
    severity: 'info',
    title: 'mTLS mode cannot be determined',
    description:
      'Data needed to decide the mTLS mode is missing (e.g. conflicting policies without creation times, or an unknown namespace).',
    fix: 'Include the missing objects in the input, or keep a single policy per scope.',
  },
  ambientDisableIgnored: {
    code: 'MS114',
    severity: 'low',
    title: 'DISABLE has no effect on an ambient workload',
    description:
      'The PeerAuthentication reference says ambient mode does not support `mtls.mode: DISABLE`: ztunnel keeps traffic from the mesh on HBONE mTLS and accepts plaintext from outside the mesh, as with PERMISSIVE. The setting promises a mode the workload does not have.',
    fix: 'Remove the DISABLE setting (or use PERMISSIVE explicitly); to take a workload out of the mesh, label its pods `istio.io/dataplane-mode: none`.',
  },
  selectorInRoot: {
    code: 'MS115',
    // As MS104: a setting Istio ignores, which typically promises STRICT where there is none.
    severity: 'medium',
    title: 'PeerAuthentication with a selector in the root namespace',
    description:
      'The PeerAuthentication reference says policies with workload selectors are ignored when deployed in the root namespace: the policy applies to no workload, in the root namespace or elsewhere. (A root-namespace AuthorizationPolicy with a selector does apply in every namespace; a PeerAuthentication does not.)',
    fix: 'Move the policy to the namespace of the workloads it should select, or remove the selector to make it the mesh-wide policy.',
  },
  autoMtlsMismatch: {
    code: 'MS116',
    // A port every sidecar client fails to reach through its Service, as with MS103.
    severity: 'high',
    title: 'Auto mTLS does not match the port',
    description:
      'Without a DestinationRule TLS mode, Istio auto mTLS decides what client sidecars send from the mesh config and the namespace-wide and mesh-wide PeerAuthentications only, never from a workload-selector or port-level policy. A STRICT port whose clients send plaintext (`enableAutoMtls: false`, or a namespace-wide DISABLE), or a DISABLE port whose clients send mTLS the sidecar does not terminate, refuses every sidecar client that reaches it through its Service.',
    fix: 'Add a DestinationRule for the Service port with `tls.mode: ISTIO_MUTUAL` (STRICT port) or `DISABLE` (DISABLE port), or make the namespace-wide PeerAuthentication agree with the workload policy.',
  },
} satisfies Record<string, FindingDefinition>;

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
  // Platform components are meant to run outside the mesh (EngineOptions.platformNamespaces).
  const platform = ctx.options.platformNamespaces.has(w.namespace);
  if (platform && (m.unknown || m.mesh === 'none')) return out;
  if (m.unknown) {
    out.push(makeFinding(MTLS_FINDINGS.unknownMode, object, m.unknown));
    return out;
  }
  if (m.mesh === 'none') {
    out.push(
      makeFinding(
        MTLS_FINDINGS.notMeshed,
        object,
        'no mesh proxy: its ports accept plaintext only',
      ),
    );
    return out;
  }
  if (m.mixed && m.pods.meshed < m.pods.total && !platform)
    out.push(makeFinding(MTLS_FINDINGS.mixedPods, object, m.mixed));
  for (const p of info.ports) {
    if (p.mtls === 'PERMISSIVE')
      out.push(
        makeFinding(
          MTLS_FINDINGS.permissive,
          object,
          `port ${portName(p)} accepts plaintext: ${p.reason}`,
        ),
      );
    // MS102's fix (remove DISABLE or the exclusion) cannot apply to a UDP or SCTP port: no mesh
    // carries it (core/ports.ts). Its DISABLED mode and reason stay on the port.
    if (p.mtls === 'DISABLED' && carriedByMesh(p))
      out.push(
        makeFinding(
          MTLS_FINDINGS.disabled,
          object,
          `port ${portName(p)} does not use mTLS: ${p.reason}`,
        ),
      );
    if (p.mtls === 'UNKNOWN')
      out.push(
        makeFinding(
          MTLS_FINDINGS.unknownMode,
          object,
          `port ${portName(p)}: ${p.reason}`,
        ),
      );
  }
  if (m.mesh === 'istio-sidecar') out.push(...autoMtlsMismatches(ctx, info));
  if (info.ignoredDisable)
    out.push(
      makeFinding(
        MTLS_FINDINGS.ambientDisableIgnored,
        object,
        `${info.ignoredDisable} sets DISABLE, which ambient mode does not support: its ports stay PERMISSIVE`,
      ),
    );
  if (m.mesh === 'istio-sidecar' || m.mesh === 'istio-ambient') {
    const selecting = ctx.peerAuth.forWorkload(w.namespace, w.labels);
    if (selecting.length > 1)
      out.push(
        makeFinding(
          MTLS_FINDINGS.severalForWorkload,
          object,
          `${selecting.length} PeerAuthentications select it: ${selecting
            .map(p => p.name)
            .join(', ')}`,
        ),
      );
  }
  return out;
}

/**
 * MS116: sidecar ports that the auto mTLS of their Service's clients does not reach
 * (docs/engine.md, "Auto mTLS"). Only ports a Service exposes without a DestinationRule TLS
 * mode for it count: a client reaching the pod's address sends what it sends unmatched.
 */
function autoMtlsMismatches(ctx: EngineContext, info: WorkloadInfo): Finding[] {
  const w = info.w;
  const out: Finding[] = [];
  const services = servicesIn(ctx.snapshot.services, w.namespace).filter(s =>
    serviceSelects(s, w.labels),
  );
  if (services.length === 0 || ctx.destinationRules.unavailable) return out;
  const settings = ctx.options.istio;
  const inferred = ctx.peerAuth.serviceMode(w.namespace);
  if (settings.autoMtls && inferred.unknown) return out;
  // What the clients of the default revision send without a DestinationRule TLS mode.
  let plaintext = true;
  let sends: string;
  if (!settings.autoMtls)
    sends = `enableAutoMtls is false (ConfigMap ${settings.configMap}): sidecar clients send plaintext`;
  else if (inferred.mode === 'DISABLE')
    sends = `auto mTLS reads PeerAuthentication ${inferred.policy?.namespace}/${inferred.policy?.name} (DISABLE), not the workload's: sidecar clients send plaintext`;
  else {
    plaintext = false;
    sends =
      "auto mTLS reads the namespace-wide and mesh-wide PeerAuthentications, not the workload's: sidecar clients send mTLS";
  }
  for (const p of info.ports) {
    if (!carriedByMesh(p) || bypassesProxy(info, p.port)) continue;
    const refused =
      (p.mtls === 'STRICT' && plaintext) ||
      (p.mtls === 'DISABLED' && !plaintext);
    if (!refused) continue;
    const via = services.find(s =>
      s.ports.some(sp => {
        const target =
          typeof sp.targetPort === 'number'
            ? sp.targetPort
            : w.ports.find(c => c.name === sp.targetPort)?.port ?? sp.port;
        if (target !== p.port || !carriedByMesh(sp)) return false;
        const dr = ctx.destinationRules.ruleFor(
          s.namespace,
          {},
          `${s.name}.${s.namespace}.svc.cluster.local`,
          s.namespace,
        );
        return !dr || !tlsModeFor(dr, sp.port);
      }),
    );
    if (!via) continue;
    out.push(
      makeFinding(
        MTLS_FINDINGS.autoMtlsMismatch,
        {
          kind: w.kind,
          namespace: w.namespace,
          name: w.name,
          cluster: ctx.options.cluster,
        },
        `port ${portName(p)} is ${p.mtls} (${p.reason}), but ${sends}${
          p.mtls === 'STRICT'
            ? ', which it refuses'
            : ', which its sidecar does not terminate'
        } (Service ${via.namespace}/${via.name})`,
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
          `selects no workload in ${p.namespace}`,
        ),
      );
      continue;
    }
    const plm = isObject(p.spec.portLevelMtls)
      ? Object.keys(p.spec.portLevelMtls)
      : [];
    for (const key of plm) {
      // portLevelMtls acts on what the proxy captures: TCP ports.
      if (
        !selected.some(w =>
          w.ports.some(cp => String(cp.port) === key && carriedByMesh(cp)),
        )
      ) {
        out.push(
          makeFinding(
            MTLS_FINDINGS.portLevelUnknownPort,
            objOf(p, cluster),
            `sets portLevelMtls for port ${key}, which no selected workload declares as a TCP container port`,
          ),
        );
      }
    }
  }
  for (const p of ctx.peerAuth.ignoredInRoot) {
    const would = ctx.snapshot.workloads.filter(w =>
      selectorMatches(paSelector(p), w.labels),
    );
    const named = would
      .slice(0, 3)
      .map(w => `${w.namespace}/${w.name}`)
      .join(', ');
    let selects = '';
    if (would.length > 3)
      selects = `; its selector matches ${named} and ${would.length - 3} more`;
    else if (would.length > 0) selects = `; its selector matches ${named}`;
    out.push(
      makeFinding(
        MTLS_FINDINGS.selectorInRoot,
        objOf(p, cluster),
        `has a selector in the root namespace ${p.namespace}, where Istio ignores it: it applies to no workload${selects}`,
      ),
    );
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
      serviceSelects(s, w.labels),
    );
    for (const sp of s.ports) {
      // A client sidecar does not capture UDP or SCTP: the rule's TLS mode never applies to it.
      if (!carriedByMesh(sp)) continue;
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
              `sets tls.mode ${mode} for ${fqdn}:${sp.port}, but ${w.namespace}/${w.name} port ${tp} is STRICT (${server.reason}): sidecar clients will be rejected`,
            ),
          );
        } else if (mode === 'DISABLE' && server.mtls === 'PERMISSIVE') {
          out.push(
            makeFinding(
              MTLS_FINDINGS.plaintextInMesh,
              objOf(dr, cluster),
              `sends plaintext to ${fqdn}:${sp.port}, served by meshed ${w.namespace}/${w.name}`,
            ),
          );
        }
      }
    }
  }
  out.push(...serviceEntryRuleFindings(ctx));
  return out;
}

/**
 * The DestinationRules for the hosts of modelled ServiceEntries (docs/engine.md "Istio service
 * registry"), as the entry's own namespace sees them: the same conditions as for Services.
 */
function serviceEntryRuleFindings(ctx: EngineContext): Finding[] {
  const out: Finding[] = [];
  for (const {
    workload: w,
    targetPort: tp,
    rule,
    mode,
    host,
    port,
  } of entryRules(ctx)) {
    const server = ctx.portMode(ctx.info(w), tp);
    if (server.mtls === 'STRICT')
      out.push(
        makeFinding(
          MTLS_FINDINGS.strictBehindDisable,
          objOf(rule, ctx.options.cluster),
          `sets tls.mode ${mode} for ${host}:${port}, but ${w.namespace}/${w.name} port ${tp} is STRICT (${server.reason}): sidecar clients will be rejected`,
        ),
      );
    else if (mode === 'DISABLE' && server.mtls === 'PERMISSIVE')
      out.push(
        makeFinding(
          MTLS_FINDINGS.plaintextInMesh,
          objOf(rule, ctx.options.cluster),
          `sends plaintext to ${host}:${port}, served by meshed ${w.namespace}/${w.name}`,
        ),
      );
  }
  return out;
}

/** A DestinationRule sending something else than mTLS to a port behind a ServiceEntry host. */
interface EntryRule {
  workload: SnapshotWorkload;
  /** The container port the entry's port reaches. */
  targetPort: number;
  rule: SnapshotPolicy<JsonObject>;
  mode: string;
  host: string;
  /** The entry's port. */
  port: number;
}

/** The rules of {@link EntryRule} for the Istio workloads a ServiceEntry selects (or `only`). */
function entryRules(ctx: EngineContext, only?: WorkloadInfo): EntryRule[] {
  const out: EntryRule[] = [];
  const registry = ctx.destinationRules.registry;
  const infos = only
    ? [only]
    : ctx.snapshot.workloads
        .filter(w => registry.selects(w))
        .map(w => ctx.info(w));
  for (const info of infos) {
    const mesh = info.membership.mesh;
    if (mesh !== 'istio-sidecar' && mesh !== 'istio-ambient') continue;
    for (const cp of info.w.ports) {
      if (!carriedByMesh(cp)) continue;
      for (const entry of registry.entriesFor(info.w, cp.port))
        for (const host of entry.hosts) {
          const rule = ctx.destinationRules.ruleFor(
            entry.namespace,
            {},
            host,
            entry.namespace,
          );
          const mode = rule && tlsModeFor(rule, entry.port);
          if (!rule || !mode || mode === 'ISTIO_MUTUAL') continue;
          out.push({
            workload: info.w,
            targetPort: cp.port,
            rule,
            mode,
            host,
            port: entry.port,
          });
        }
    }
  }
  return out;
}

/**
 * The STRICT ports of a workload that a DestinationRule sends something else than Istio mTLS
 * to (the condition of {@link MTLS_FINDINGS.strictBehindDisable}, MS103, seen from the
 * workload): its sidecar clients are rejected. The rule is the one the Service's own namespace
 * sees, as for the finding.
 */
export function strictPortsBehindTls(
  ctx: EngineContext,
  info: WorkloadInfo,
): Array<{ port: number; rule: string; mode: string }> {
  const mesh = info.membership.mesh;
  if (mesh !== 'istio-sidecar' && mesh !== 'istio-ambient') return [];
  const w = info.w;
  const out: Array<{ port: number; rule: string; mode: string }> = [];
  for (const s of servicesIn(ctx.snapshot.services, w.namespace)) {
    if (!serviceSelects(s, w.labels)) continue;
    const fqdn = `${s.name}.${s.namespace}.svc.cluster.local`;
    const dr = ctx.destinationRules.ruleFor(s.namespace, {}, fqdn, s.namespace);
    if (!dr) continue;
    for (const sp of s.ports) {
      if (!carriedByMesh(sp)) continue;
      const mode = tlsModeFor(dr, sp.port);
      if (!mode || mode === 'ISTIO_MUTUAL') continue;
      const port =
        typeof sp.targetPort === 'number'
          ? sp.targetPort
          : w.ports.find(p => p.name === sp.targetPort)?.port ?? sp.port;
      if (ctx.portMode(info, port).mtls === 'STRICT')
        out.push({ port, rule: drRef(dr), mode });
    }
  }
  for (const { targetPort, rule, mode } of entryRules(ctx, info))
    if (ctx.portMode(info, targetPort).mtls === 'STRICT')
      out.push({ port: targetPort, rule: drRef(rule), mode });
  return out;
}
