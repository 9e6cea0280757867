import { Pillar, PillarStatus, Scorecard } from '../../model';
import { apAction, apRules } from '../istio/authorizationPolicy';
import { EngineContext, WorkloadInfo } from './context';
import { hasDefaultDenyIngress } from '../findings/networkPolicy';
import { MTLS_FINDINGS, strictPortsBehindTls } from '../findings/mtls';
import { policyTypes } from '../networkPolicy/networkPolicy';
import { isObject } from '../validate/check';
import { carriedByMesh, portName } from './ports';

/*
 * The zero-trust scorecard (docs/engine.md "Findings and scorecard"): verify explicitly (mTLS
 * STRICT on every port), least privilege (explicit ALLOW policies naming callers, no wildcards or
 * allow-all), assume breach (default-deny NetworkPolicy segmenting the namespace), no credential
 * leakage (Secrets come from an external store).
 */

function verifyExplicitly(ctx: EngineContext, info: WorkloadInfo): Pillar {
  // STRICT does not verify anyone when the clients are told to send something else: the
  // connections fail (blocked callers, docs/engine.md "Blocked edges").
  const blocked = strictPortsBehindTls(ctx, info);
  if (blocked.length > 0)
    return {
      status: 'fail',
      detail: `clients are rejected (${
        MTLS_FINDINGS.strictBehindDisable.code
      }): ${blocked
        .map(b => `${b.rule} sets tls.mode ${b.mode} for STRICT port ${b.port}`)
        .join('; ')}`,
    };
  if (info.membership.mesh === 'none')
    return info.membership.unknown
      ? { status: 'unknown', detail: info.membership.unknown }
      : { status: 'fail', detail: 'no mesh proxy: traffic is plaintext' };
  if (info.mtls === 'UNKNOWN')
    return {
      status: 'unknown',
      detail: info.mtlsReason ?? 'mTLS mode unknown',
    };
  if (info.mtls === 'STRICT')
    return { status: 'pass', detail: 'every port accepts mTLS only' };
  const carried = info.ports.filter(carriedByMesh);
  const uncarried = info.ports.filter(p => !carriedByMesh(p));
  // UDP and SCTP are never mTLS (core/ports.ts): STRICT on every TCP port is the best there is.
  if (
    carried.length > 0 &&
    uncarried.length > 0 &&
    carried.every(p => p.mtls === 'STRICT')
  )
    return {
      status: 'warn',
      detail: `every TCP port accepts mTLS only; the mesh does not carry ${uncarried
        .map(portName)
        .join(', ')}, which is plaintext`,
    };
  if (info.ports.some(p => p.mtls === 'DISABLED') || info.mtls === 'DISABLED')
    return {
      status: 'fail',
      detail: `mTLS disabled on ports ${
        info.ports
          .filter(p => p.mtls === 'DISABLED')
          .map(portName)
          .join(', ') || '(all)'
      }`,
    };
  return {
    status: 'warn',
    detail: `plaintext accepted (${info.mtls}): ${
      info.mtlsReason ?? ''
    }`.trim(),
  };
}

/** Linkerd: a port names its callers when a Server with `accessPolicy: deny` only has identity-based, non-wildcard authorizations. */
function linkerdPortNamesCallers(
  context: EngineContext,
  info: WorkloadInfo,
  port: number,
): boolean {
  const servers = context.linkerd.serversFor(info.w, port);
  if (
    servers.length === 0 ||
    (servers[0].spec.accessPolicy ?? 'deny') !== 'deny'
  )
    return false;
  const authz = context.linkerd.authorizationsOf(servers[0]);
  return (
    authz.length > 0 &&
    authz.every(
      a => a.requiresIdentity && !JSON.stringify(a.policy.spec).includes('"*"'),
    )
  );
}

function leastPrivilege(context: EngineContext, info: WorkloadInfo): Pillar {
  const mesh = info.membership.mesh;
  if (mesh === 'none')
    return info.membership.unknown
      ? { status: 'unknown', detail: info.membership.unknown }
      : { status: 'fail', detail: 'no mesh proxy enforces authorization' };
  if (mesh === 'linkerd') {
    const unknown =
      context.linkerd.unavailable.anyPort ??
      context.linkerd.unavailable.serverPort;
    if (unknown) return { status: 'unknown', detail: unknown };
    const ports = info.ports.map(p => p.port);
    if (ports.length === 0)
      return { status: 'unknown', detail: 'no container ports declared' };
    const named = ports.filter(p => linkerdPortNamesCallers(context, info, p));
    if (named.length === ports.length)
      return {
        status: 'pass',
        detail:
          'every port has a Server (accessPolicy deny) whose authorizations name client identities',
      };
    const open = ports.filter(p => !named.includes(p)).join(', ');
    return named.length > 0
      ? {
          status: 'warn',
          detail: `ports without authorizations naming clients: ${open}`,
        }
      : {
          status: 'fail',
          detail: `no authorization names client identities (default policy, network-only or unauthenticated authorizations) on ports ${open}`,
        };
  }
  if (context.authz.unavailable)
    return { status: 'unknown', detail: context.authz.unavailable };
  const policies = context.authz
    .forWorkload(info.w)
    .filter(p => apAction(p) === 'ALLOW');
  if (policies.length === 0)
    return {
      status: 'fail',
      detail: 'no ALLOW AuthorizationPolicy: every caller is allowed',
    };
  const rulesOf = (p: (typeof policies)[number]) => apRules(p);
  // A rule `{}` allows every request: as open as having no policy.
  const allowAll = policies.filter(p =>
    rulesOf(p).some(
      r =>
        !Array.isArray(r.from) &&
        !Array.isArray(r.to) &&
        !Array.isArray(r.when),
    ),
  );
  if (allowAll.length > 0)
    return {
      status: 'fail',
      detail: `allow-all rule ({}) in ${allowAll.map(p => p.name).join(', ')}`,
    };
  const wildcard = policies.filter(p =>
    rulesOf(p).some(
      r =>
        Array.isArray(r.from) &&
        r.from.some(
          f =>
            isObject(f) &&
            isObject(f.source) &&
            ['principals', 'namespaces'].some(
              k =>
                Array.isArray((f.source as Record<string, unknown>)[k]) &&
                (
                  (f.source as Record<string, unknown>)[k] as unknown[]
                ).includes('*'),
            ),
        ),
    ),
  );
  if (wildcard.length > 0)
    return {
      status: 'warn',
      detail: `wildcard identities in ${wildcard.map(p => p.name).join(', ')}`,
    };
  const naming = policies.filter(p => rulesOf(p).length > 0);
  if (naming.length === 0)
    return {
      status: 'pass',
      detail: `every request is denied (${policies
        .map(p => p.name)
        .join(', ')})`,
    };
  return {
    status: 'pass',
    detail: `callers named by ${naming.map(p => p.name).join(', ')}`,
  };
}

function assumeBreach(context: EngineContext, info: WorkloadInfo): Pillar {
  if (context.netpol.unavailable)
    return { status: 'unknown', detail: context.netpol.unavailable };
  if (hasDefaultDenyIngress(context, info.w.namespace))
    return {
      status: 'pass',
      detail: `namespace ${info.w.namespace} has a default-deny ingress NetworkPolicy`,
    };
  const isolating = context.netpol
    .selectingWorkload(info.w)
    .filter(p => policyTypes(p).ingress);
  if (isolating.length > 0)
    return {
      status: 'warn',
      detail: `isolated by ${isolating
        .map(p => p.name)
        .join(', ')}, but the namespace has no default deny`,
    };
  return { status: 'fail', detail: 'no NetworkPolicy isolates the workload' };
}

function noCredentialLeakage(
  context: EngineContext,
  info: WorkloadInfo,
): Pillar {
  const workload = info.w;
  const names = [...new Set(workload.secrets.map(s => s.name))];
  if (names.length === 0)
    return {
      status: 'pass',
      detail: workload.csiSecretStore
        ? 'secrets come from a CSI secrets-store volume'
        : 'the pod template uses no Secret',
    };
  if (workload.csiSecretStore)
    return {
      status: 'pass',
      detail: 'secrets come from a CSI secrets-store volume',
    };
  const unknown = context.options.unavailable.externalSecrets;
  if (unknown) return { status: 'unknown', detail: unknown };
  const managed = context.externalSecretTargets(workload.namespace);
  const unmanaged = names.filter(n => !managed.has(n));
  if (unmanaged.length === 0)
    return {
      status: 'pass',
      detail: 'every Secret used is produced by an ExternalSecret',
    };
  return {
    status: 'fail',
    detail: `Secrets not from an external store: ${unmanaged.join(', ')}`,
  };
}

/** The scorecard of one workload. */
export function workloadScorecard(
  ctx: EngineContext,
  info: WorkloadInfo,
): Scorecard {
  return {
    verifyExplicitly: verifyExplicitly(ctx, info),
    leastPrivilege: leastPrivilege(ctx, info),
    assumeBreach: assumeBreach(ctx, info),
    noCredentialLeakage: noCredentialLeakage(ctx, info),
  };
}

const RANK: Record<PillarStatus, number> = {
  pass: 0,
  unknown: 1,
  warn: 2,
  fail: 3,
};

/**
 * A component's scorecard from its workloads' scorecards: each pillar takes the worst status
 * (fail over warn over unknown over pass). No workloads: every pillar unknown.
 *
 * @public
 */
export function combineScorecards(cards: Scorecard[]): Scorecard {
  const pillar = (key: keyof Scorecard): Pillar => {
    if (cards.length === 0)
      return { status: 'unknown', detail: 'no workloads' };
    const worst = cards.reduce((a, c) =>
      RANK[c[key].status] > RANK[a[key].status] ? c : a,
    );
    return { ...worst[key] };
  };
  return {
    verifyExplicitly: pillar('verifyExplicitly'),
    leastPrivilege: pillar('leastPrivilege'),
    assumeBreach: pillar('assumeBreach'),
    noCredentialLeakage: pillar('noCredentialLeakage'),
  };
}
