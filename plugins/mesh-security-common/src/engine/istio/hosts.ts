/*
 * Istio host names as DestinationRules and ServiceEntries match them: a short name is
 * qualified with the rule's namespace (`ResolveShortnameToFQDN`), `name.namespace` with
 * `svc.cluster.local`, and a wildcard matches any suffix (Destination rule reference, `host`).
 * Its own module so that the service registry and the DestinationRule lookup can both use it
 * without importing each other.
 */

/** Host specificity: exact beats wildcard, longer wildcard beats shorter. */
export function hostScore(pattern: string, fqdn: string, drNs: string): number {
  // A ServiceEntry host is matched as written (`ResolveShortnameToFQDN` keeps names with dots).
  if (pattern === fqdn) return 10000;
  const full =
    pattern.includes('.') || pattern === '*' || pattern.startsWith('*')
      ? pattern
      : `${pattern}.${drNs}.svc.cluster.local`;
  const expanded = /^[^.*]+\.[^.]+$/.test(full)
    ? `${full}.svc.cluster.local`
    : full;
  if (expanded === fqdn) return 10000;
  if (expanded.startsWith('*') && fqdn.endsWith(expanded.slice(1)))
    return expanded.length;
  return -1;
}
