import { Finding, JsonObject, SnapshotPolicy } from '../../model';
import { EngineContext, WorkloadInfo } from '../core/context';
import { serviceAccountKey } from '../core/identities';
import { isObject } from '../validate/check';
import { isLocalTrustDomain } from '../istio/trustDomain';
import { IDENTITY_FINDINGS } from './identity';
import { makeFinding } from './make';

type P = SnapshotPolicy<JsonObject>;

/** Workload-level identity and credential findings (MS402–MS404, MS407). */
export function workloadIdentityFindings(
  ctx: EngineContext,
  info: WorkloadInfo,
  saUsers: Map<string, number>,
): Finding[] {
  const w = info.w;
  const obj = {
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    cluster: ctx.options.cluster,
  };
  const out: Finding[] = [];
  if (
    !info.ns &&
    info.membership.unknown === undefined &&
    !ctx.namespaces.has(w.namespace)
  ) {
    out.push(
      makeFinding(
        IDENTITY_FINDINGS.missingNamespace,
        obj,
        `namespace ${w.namespace} is not in the input`,
      ),
    );
  }
  if (info.membership.mesh !== 'none') {
    if (w.serviceAccount === 'default')
      out.push(
        makeFinding(
          IDENTITY_FINDINGS.defaultServiceAccount,
          obj,
          `runs as the default ServiceAccount: its identity ${info.identity} is shared`,
        ),
      );
    else if ((saUsers.get(serviceAccountKey(w)) ?? 0) > 1) {
      out.push(
        makeFinding(
          IDENTITY_FINDINGS.sharedServiceAccount,
          obj,
          `ServiceAccount ${w.namespace}/${
            w.serviceAccount
          } is used by ${saUsers.get(serviceAccountKey(w))} workloads`,
        ),
      );
    }
  }
  if (!w.csiSecretStore) {
    const managed = ctx.externalSecretTargets(w.namespace);
    const unmanaged = [...new Set(w.secrets.map(s => s.name))].filter(
      n => !managed.has(n),
    );
    if (unmanaged.length > 0)
      out.push(
        makeFinding(
          IDENTITY_FINDINGS.unmanagedSecret,
          obj,
          `uses Secret(s) ${unmanaged.join(
            ', ',
          )} not produced by an ExternalSecret`,
        ),
      );
  }
  return out;
}

const ISTIO_PRINCIPAL = /^([^/]+)\/ns\/[^/]+\/sa\/[^/]+$/;
const LINKERD_ID =
  /^(?:\*|[^.]+)\.(?:\*|[^.]+)\.serviceaccount\.identity\.linkerd\.(.+)$/;

function checkIstioPrincipal(
  ctx: EngineContext,
  p: P,
  principal: string,
  out: Finding[],
) {
  const obj = {
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    cluster: ctx.options.cluster,
  };
  const where = `AuthorizationPolicy ${p.namespace}/${p.name}`;
  if (
    principal === '*' ||
    (principal.includes('*') && !principal.startsWith('spiffe://'))
  )
    return;
  const m = ISTIO_PRINCIPAL.exec(principal);
  if (!m) {
    out.push(
      makeFinding(
        IDENTITY_FINDINGS.badIdentityFormat,
        obj,
        `${where} names principal "${principal}", not in the form <trust-domain>/ns/<namespace>/sa/<service-account>${
          principal.startsWith('spiffe://')
            ? ' (drop the spiffe:// prefix)'
            : ''
        }`,
      ),
    );
  } else if (
    // Trust domain aliases and `cluster.local` stand for the mesh's own (istio/trustDomain.ts).
    ![ctx.options.istio, ...ctx.options.istioRevisions.values()].some(mesh =>
      isLocalTrustDomain(m[1], mesh.trustDomains),
    )
  ) {
    out.push(
      makeFinding(
        IDENTITY_FINDINGS.foreignTrustDomain,
        obj,
        `${where} names principal "${principal}" in trust domain ${
          m[1]
        }, but the mesh trust domain is ${ctx.options.trustDomain}${
          ctx.options.istio.trustDomains.length > 1
            ? ` (aliases ${ctx.options.istio.trustDomains.slice(1).join(', ')})`
            : ''
        }`,
      ),
    );
  }
}

function checkLinkerdIdentity(
  ctx: EngineContext,
  p: P,
  id: string,
  out: Finding[],
) {
  const obj = {
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    cluster: ctx.options.cluster,
  };
  const where = `${p.kind} ${p.namespace}/${p.name}`;
  if (id === '*') return;
  const m = LINKERD_ID.exec(id);
  if (!m) {
    if (
      id.startsWith('*.') &&
      id.endsWith(`.${ctx.options.linkerdTrustDomain}`)
    )
      return;
    out.push(
      makeFinding(
        IDENTITY_FINDINGS.badIdentityFormat,
        obj,
        `${where} names identity "${id}", not in the form <sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>`,
      ),
    );
  } else if (m[1] !== ctx.options.linkerdTrustDomain) {
    out.push(
      makeFinding(
        IDENTITY_FINDINGS.foreignTrustDomain,
        obj,
        `${where} names identity "${id}" in trust domain ${m[1]}, but the Linkerd trust domain is ${ctx.options.linkerdTrustDomain}`,
      ),
    );
  }
}

/** Identity format and trust-domain findings over policies (MS405, MS406). */
export function policyIdentityFindings(ctx: EngineContext): Finding[] {
  const out: Finding[] = [];
  for (const p of ctx.snapshot.istio.authorizationPolicies) {
    for (const rule of Array.isArray(p.spec.rules)
      ? p.spec.rules.filter(isObject)
      : []) {
      for (const f of Array.isArray(rule.from)
        ? rule.from.filter(isObject)
        : []) {
        const s = isObject(f.source) ? f.source : {};
        for (const key of ['principals', 'notPrincipals']) {
          for (const v of Array.isArray(s[key]) ? (s[key] as unknown[]) : [])
            if (typeof v === 'string') checkIstioPrincipal(ctx, p, v, out);
        }
      }
      for (const c of Array.isArray(rule.when)
        ? rule.when.filter(isObject)
        : []) {
        if (c.key !== 'source.principal') continue;
        for (const v of [
          ...(Array.isArray(c.values) ? c.values : []),
          ...(Array.isArray(c.notValues) ? c.notValues : []),
        ])
          if (typeof v === 'string') checkIstioPrincipal(ctx, p, v, out);
      }
    }
  }
  for (const m of ctx.snapshot.linkerd.meshTlsAuthentications) {
    for (const id of Array.isArray(m.spec.identities) ? m.spec.identities : [])
      if (typeof id === 'string') checkLinkerdIdentity(ctx, m, id, out);
  }
  for (const sa of ctx.snapshot.linkerd.serverAuthorizations) {
    const mesh =
      isObject(sa.spec.client) && isObject(sa.spec.client.meshTLS)
        ? sa.spec.client.meshTLS
        : {};
    for (const id of Array.isArray(mesh.identities) ? mesh.identities : [])
      if (typeof id === 'string') checkLinkerdIdentity(ctx, sa, id, out);
  }
  return out;
}
