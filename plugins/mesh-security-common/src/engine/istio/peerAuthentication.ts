import {
  JsonObject,
  LabelSelector,
  MtlsMode,
  PortMtls,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { selectorIsEmpty } from '../core/match';
import { portName } from '../core/ports';
import { SelectorIndex, groupBy } from '../core/selectorIndex';
import { isObject } from '../validate/check';

/*
 * Istio server-side mTLS: PeerAuthentication reference
 * (https://istio.io/latest/docs/reference/config/security/peer_authentication/) and the
 * "Authentication policy" concept page
 * (https://istio.io/latest/docs/concepts/security/#authentication-policies).
 */

type PA = SnapshotPolicy<JsonObject>;

/** Istio's PeerAuthentication modes mapped to ours. */
const MODE: Record<string, MtlsMode> = {
  STRICT: 'STRICT',
  PERMISSIVE: 'PERMISSIVE',
  DISABLE: 'DISABLED',
};

export const paSelector = (p: PA): LabelSelector | undefined =>
  isObject(p.spec.selector) ? (p.spec.selector as LabelSelector) : undefined;

/** "Policy storage scope": a PeerAuthentication without (or with an empty) selector is namespace-wide. */
export const paIsNamespaceWide = (p: PA) =>
  selectorIsEmpty({ matchLabels: paSelector(p)?.matchLabels });

export function paMode(p: PA | undefined): string | undefined {
  const mode = p && isObject(p.spec.mtls) ? p.spec.mtls.mode : undefined;
  return typeof mode === 'string' && mode !== 'UNSET' ? mode : undefined;
}

export function paPortMode(
  p: PA | undefined,
  port: number,
): string | undefined {
  const plm = p?.spec.portLevelMtls;
  if (!isObject(plm) || paIsNamespaceWide(p!)) return undefined; // portLevelMtls needs a selector
  const entry = plm[String(port)];
  const mode = isObject(entry) ? entry.mode : undefined;
  return typeof mode === 'string' && mode !== 'UNSET' ? mode : undefined;
}

/**
 * Picks the oldest policy ("if there is more than one mesh-wide (or namespace-wide) policy,
 * Istio applies the oldest one"). When creation times are missing and the candidates disagree,
 * the winner cannot be known: returns a reason instead.
 */
export function oldest(
  policies: PA[],
  what: string,
): { policy?: PA; unknown?: string } {
  if (policies.length <= 1) return { policy: policies[0] };
  const same = policies.every(
    p =>
      JSON.stringify([p.spec.mtls, p.spec.portLevelMtls]) ===
      JSON.stringify([policies[0].spec.mtls, policies[0].spec.portLevelMtls]),
  );
  const sorted = [...policies].sort(
    (a, b) =>
      (a.creationTimestamp ?? '').localeCompare(b.creationTimestamp ?? '') ||
      a.name.localeCompare(b.name),
  );
  if (same) return { policy: sorted[0] };
  if (policies.some(p => !p.creationTimestamp)) {
    return {
      unknown: `${
        policies.length
      } ${what} PeerAuthentications disagree and their creation times are unknown, so the oldest (the one Istio applies) cannot be determined: ${policies
        .map(p => `${p.namespace}/${p.name}`)
        .join(', ')}`,
    };
  }
  return { policy: sorted[0] };
}

/** PeerAuthentications indexed by namespace and selector. */
export class PeerAuthenticationIndex {
  private readonly nsWide: Map<string, PA[]>;
  private readonly bySelector = new Map<string, SelectorIndex<PA>>();
  /**
   * Policies with a selector in the root namespace. The PeerAuthentication reference: they "are
   * ignored when deployed in the root namespace"; they apply to no workload, not even to the
   * root namespace's own.
   */
  readonly ignoredInRoot: PA[];
  private readonly serviceModes = new Map<
    string,
    ReturnType<PeerAuthenticationIndex['serviceMode']>
  >();

  /** `unavailable`: why the PeerAuthentications (or the root namespace) are not known. */
  constructor(
    snapshot: Snapshot,
    readonly rootNamespace: string,
    readonly unavailable?: string,
  ) {
    const all = snapshot.istio.peerAuthentications;
    this.nsWide = groupBy(all.filter(paIsNamespaceWide), p => p.namespace);
    const withSelector = all.filter(p => !paIsNamespaceWide(p));
    this.ignoredInRoot = withSelector.filter(
      p => p.namespace === rootNamespace,
    );
    for (const [ns, list] of groupBy(
      withSelector.filter(p => p.namespace !== rootNamespace),
      p => p.namespace,
    )) {
      const index = new SelectorIndex<PA>(paSelector);
      list.forEach(p => index.add(p));
      this.bySelector.set(ns, index);
    }
  }

  /** Mesh-wide policies: namespace-wide policies in the root namespace. */
  meshWide(): PA[] {
    return this.nsWide.get(this.rootNamespace) ?? [];
  }

  namespaceWide(namespace: string): PA[] {
    return namespace === this.rootNamespace
      ? []
      : this.nsWide.get(namespace) ?? [];
  }

  /**
   * The mode Istio's auto mTLS infers for the Services of a namespace
   * (`PushContext.BestEffortInferServiceMTLSMode`): the namespace-wide policy's, else the
   * mesh-wide one's (`UNSET` inheriting), else PERMISSIVE. Workload-selector and port-level
   * policies are not read, so a client may send what the workload's own policy refuses.
   * `policy`: the deciding policy; `unknown`: why the oldest policy cannot be known.
   */
  serviceMode(namespace: string): {
    mode: string;
    policy?: PA;
    unknown?: string;
  } {
    let cached = this.serviceModes.get(namespace);
    if (!cached) {
      const ns = oldest(
        this.namespaceWide(namespace),
        `namespace-wide (${namespace})`,
      );
      const mesh = oldest(this.meshWide(), 'mesh-wide');
      const unknown = this.unavailable ?? ns.unknown ?? mesh.unknown;
      const nsMode = paMode(ns.policy);
      const meshMode = paMode(mesh.policy);
      if (unknown) cached = { mode: 'UNKNOWN', unknown };
      else if (nsMode) cached = { mode: nsMode, policy: ns.policy };
      else if (meshMode) cached = { mode: meshMode, policy: mesh.policy };
      else cached = { mode: 'PERMISSIVE' };
      this.serviceModes.set(namespace, cached);
    }
    return cached;
  }

  forWorkload(namespace: string, labels: Record<string, string>): PA[] {
    return this.bySelector.get(namespace)?.matching(labels) ?? [];
  }

  selectorPolicies(): PA[] {
    return [...this.bySelector.values()].flatMap(i => [...i.items()]);
  }
}

const ref = (p: PA) => `PeerAuthentication ${p.namespace}/${p.name}`;

/** Comma-separated port list annotation ("*" = all). */
export function portList(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(
    value
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
  );
}

/**
 * Per-port mTLS of an Istio workload: workload-selector policy (port-level first) over
 * namespace-wide over mesh-wide, `UNSET` inheriting from the parent; PERMISSIVE when nothing is
 * set (Istio's default). Ports that bypass the sidecar are DISABLED ("Traffic interception":
 * `traffic.sidecar.istio.io/excludeInboundPorts`, `includeInboundPorts`).
 */
export function istioPortModes(
  index: PeerAuthenticationIndex,
  w: SnapshotWorkload,
  ambient: boolean,
): {
  ports: PortMtls[];
  workloadMode: PortMtls;
  /** An ambient workload's PeerAuthentication that sets DISABLE, which has no effect. */
  ignoredDisable?: string;
} {
  const wl = oldest(
    index.forWorkload(w.namespace, w.labels),
    'workload-selector',
  );
  const ns = oldest(
    index.namespaceWide(w.namespace),
    `namespace-wide (${w.namespace})`,
  );
  const mesh = oldest(index.meshWide(), 'mesh-wide');
  const exclude = portList(
    w.annotations['traffic.sidecar.istio.io/excludeInboundPorts'],
  );
  const include = portList(
    w.annotations['traffic.sidecar.istio.io/includeInboundPorts'],
  );

  let ignoredDisable: string | undefined;
  const resolve = (port: number | undefined): PortMtls => {
    const base = { port: port ?? 0 };
    if (!ambient && port !== undefined) {
      // excludeInboundPorts "only applies when all inbound traffic (i.e. '*') is being
      // redirected" (Istio annotation reference): an explicit include list wins.
      const redirectsAll = include === undefined || include.has('*');
      if (redirectsAll && exclude?.has(String(port)))
        return {
          ...base,
          mtls: 'DISABLED',
          reason: `port ${port} is excluded from the sidecar (traffic.sidecar.istio.io/excludeInboundPorts)`,
        };
      if (include && !include.has('*') && !include.has(String(port)))
        return {
          ...base,
          mtls: 'DISABLED',
          reason: `port ${port} is not in traffic.sidecar.istio.io/includeInboundPorts`,
        };
    }
    const unknown =
      index.unavailable ?? wl.unknown ?? ns.unknown ?? mesh.unknown;
    if (unknown) return { ...base, mtls: 'UNKNOWN', reason: unknown };
    // The first level that sets a mode decides; the reason string is built for it only.
    let raw =
      wl.policy && port !== undefined ? paPortMode(wl.policy, port) : undefined;
    let reason = raw ? `${ref(wl.policy!)} (portLevelMtls ${port})` : '';
    for (const [level, suffix] of [
      [wl.policy, ''],
      [ns.policy, ''],
      [mesh.policy, ' (mesh-wide)'],
    ] as const) {
      if (raw || !level) continue;
      raw = paMode(level);
      if (raw) reason = `${ref(level)}${suffix}`;
    }
    if (!raw)
      return {
        ...base,
        mtls: 'PERMISSIVE',
        reason:
          'no PeerAuthentication sets a mode: Istio defaults to PERMISSIVE',
      };
    const mode = MODE[raw];
    if (ambient && mode === 'DISABLED') {
      // PeerAuthentication reference: DISABLE is not supported in ambient mode. ztunnel keeps
      // mesh traffic on HBONE mTLS and accepts plaintext from outside the mesh, as PERMISSIVE.
      ignoredDisable ??= reason;
      return {
        ...base,
        mtls: 'PERMISSIVE',
        reason: `${reason} sets DISABLE, which ambient mode does not support: ztunnel accepts mTLS (HBONE) and plaintext, as with PERMISSIVE`,
      };
    }
    return { ...base, mtls: mode, reason };
  };
  const ports = w.ports.map(p => ({
    ...resolve(p.port),
    port: p.port,
    name: p.name,
    protocol: p.protocol,
  }));
  const workloadMode = resolve(undefined);
  return { ports, workloadMode, ignoredDisable };
}

/** Combines port modes into the workload mode (docs/engine.md "mTLS (server side)"). */
export function combineModes(
  ports: PortMtls[],
  fallback: PortMtls,
): { mtls: MtlsMode; reason?: string } {
  if (ports.length === 0)
    return {
      mtls: fallback.mtls,
      reason: fallback.reason
        ? `no container ports declared; ${fallback.reason}`
        : 'no container ports declared',
    };
  const unknown = ports.find(p => p.mtls === 'UNKNOWN');
  if (unknown) return { mtls: 'UNKNOWN', reason: unknown.reason };
  const modes = new Set(ports.map(p => p.mtls));
  if (modes.size === 1) return { mtls: ports[0].mtls, reason: ports[0].reason };
  return {
    mtls: 'PARTIAL',
    reason: ports.map(p => `${portName(p)}: ${p.mtls}`).join(', '),
  };
}
