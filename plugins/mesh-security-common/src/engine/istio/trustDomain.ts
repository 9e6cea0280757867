/*
 * Istio trust domain aliases, "Global Mesh Options" `trustDomainAliases`
 * (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/): identities under the
 * trust domain or any alias "will be treated the same in the Istio mesh"; as istiod's
 * authorization builder applies it (docs/engine.md "Trust domain"), a policy principal naming
 * the trust domain, an alias or `cluster.local` is rewritten under each of them, and a
 * `trustDomains` / `source.trustDomain` value naming one of them stands for all of them.
 */

/** The trust domains a mesh config treats as one: the trust domain, then its aliases. */
export type TrustDomainBundle = readonly string[];

/** `cluster.local` points to the local trust domain and its aliases in policies. */
const CLUSTER_LOCAL = 'cluster.local';

const prefixPattern = (value: string, pattern: string) =>
  pattern.endsWith('*') && value.startsWith(pattern.slice(0, -1));
const suffixPattern = (value: string, pattern: string) =>
  pattern.startsWith('*') && value.endsWith(pattern.slice(1));

/** Either side may be a `prefix*` / `*suffix` pattern; `*` matches anything. */
function eitherMatches(domain: string, bundle: TrustDomainBundle): boolean {
  return bundle.some(
    td =>
      td === domain ||
      td === '*' ||
      prefixPattern(domain, td) ||
      prefixPattern(td, domain) ||
      suffixPattern(domain, td) ||
      suffixPattern(td, domain),
  );
}

/**
 * The principals a policy's `principals` / `notPrincipals` (or `source.principal` values)
 * stand for under a bundle. Only `<td>/ns/<ns>/sa/<sa>` (five `/`-separated parts) with a
 * trust domain other than `*` is rewritten, and only when that trust domain matches the bundle
 * or is `cluster.local`: once per bundle domain, keeping the principal as written where its
 * `*suffix` trust domain already matches that domain. Anything else stays as written.
 */
export function expandPrincipals(
  principals: readonly string[],
  bundle: TrustDomainBundle,
): string[] {
  const out: string[] = [];
  for (const principal of principals) {
    const parts = principal.split('/');
    const domain = parts[0];
    if (
      parts.length !== 5 ||
      domain === '*' ||
      !(domain === CLUSTER_LOCAL || eitherMatches(domain, bundle))
    ) {
      out.push(principal);
      continue;
    }
    const rest = parts.slice(1).join('/');
    const expanded = new Set<string>();
    for (const td of bundle)
      expanded.add(suffixPattern(td, domain) ? principal : `${td}/${rest}`);
    out.push(...expanded);
  }
  return out;
}

/**
 * The trust domains a `trustDomains` / `source.trustDomain` list stands for: a value equal to
 * a bundle domain stands for the whole bundle; others (patterns included) stay as written.
 */
export function expandTrustDomains(
  values: readonly string[],
  bundle: TrustDomainBundle,
): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (bundle.includes(value)) bundle.forEach(td => out.add(td));
    else out.add(value);
  }
  return [...out];
}

/**
 * Whether a principal's trust domain is one a policy under this bundle treats as local (so
 * naming it is no federation): a bundle domain or `cluster.local`.
 */
export function isLocalTrustDomain(
  domain: string,
  bundle: TrustDomainBundle,
): boolean {
  return domain === CLUSTER_LOCAL || bundle.includes(domain);
}
