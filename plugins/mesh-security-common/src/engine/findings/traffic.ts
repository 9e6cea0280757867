import { FindingDefinition } from '../../model';

/**
 * MS5xx: observed traffic held against the policies (docs/traffic.md). Raised only from
 * observations read on the last attempt or kept from an earlier one (`ok`, `stale`); the
 * messages say when they are stale.
 */
export const TRAFFIC_FINDINGS = {
  plaintextOnStrict: {
    code: 'MS501',
    severity: 'high',
    title: 'Plaintext observed on a STRICT port',
    description:
      'The policies make the port STRICT (mTLS only), yet its proxy reported plaintext requests or connections in the evidence window. Either the claim is wrong for some pods (a pod without a proxy, a port that bypasses it), or the observations predate the change to STRICT.',
    fix: 'Check the causes the message lists: restart or re-inject pods without a proxy, remove the port exclusion (`traffic.sidecar.istio.io/excludeInboundPorts`, `config.linkerd.io/skip-inbound-ports`), or wait for the evidence window to pass the change.',
  },
  strictWouldBreak: {
    code: 'MS502',
    severity: 'medium',
    title: 'PERMISSIVE port receives plaintext: STRICT would break callers',
    description:
      'The port accepts both mTLS and plaintext, and plaintext arrived in the evidence window. Enforcing STRICT now refuses those callers.',
    fix: 'Mesh the plaintext callers the message lists (or move them behind a gateway), wait for an evidence window without plaintext, then enforce STRICT.',
  },
  readyForStrict: {
    code: 'MS503',
    severity: 'info',
    title: 'PERMISSIVE port ready for STRICT',
    description:
      'The port accepts plaintext, but every request or connection of the evidence window was mTLS: enforcing STRICT refuses no caller seen in that window.',
    fix: 'Set a PeerAuthentication with `mtls.mode: STRICT` for the workload (Istio), or require identities on the port (Linkerd `config.linkerd.io/proxy-require-identity-inbound-ports`, or a Server whose authorizations require mesh identities).',
  },
  unusedGrant: {
    code: 'MS504',
    severity: 'low',
    title: 'Grant unused for the evidence window',
    description:
      'A policy allows a caller on a port, and no traffic from it was observed in the whole evidence window: the grant is wider than what is used (least privilege).',
    fix: 'Revoke the grant if the caller no longer needs it (the access-revoke template opens the change), or keep it and note why (batch jobs may call less often than the window).',
  },
  refusedTraffic: {
    code: 'MS505',
    severity: 'low',
    title: 'Refused traffic observed',
    description:
      'The receiving proxy refused requests or connections for authorization in the evidence window: a caller tries what the policies deny.',
    fix: 'Find out why the callers the message lists try: grant them access if they need it, or stop the calls.',
  },
  acceptedWithoutGrant: {
    code: 'MS506',
    severity: 'high',
    title: 'Traffic accepted that the policies deny',
    description:
      'Traffic was accepted in the evidence window from a source no edge of the access graph allows: it predates a policy change, comes from an identity no workload of the cluster carries, or the policies are not enforced as read.',
    fix: 'If the traffic predates a change, wait for the evidence window to pass it; otherwise check that the policies are applied and enforced, and grant or block the sources the message lists.',
  },
} satisfies Record<string, FindingDefinition>;
