import {
  Json,
  Problems,
  checkArray,
  checkEnum,
  checkKubernetesLabelSelector,
  checkLabelSelector,
  checkObject,
  checkString,
  checkStringArray,
  isCidrLike,
  isObject,
} from './check';
import { HTTP_METHODS } from '../../model';
import { GATEWAY_API_GROUP } from '../istio/waypoint';

/*
 * Structural checks for Linkerd policy kinds (policy.linkerd.io CRDs, linkerd2
 * install_crds.golden) and Kubernetes NetworkPolicy (networking.k8s.io/v1 API reference).
 */

function checkRef(
  p: Problems,
  path: string,
  ref: unknown,
  nameRequired: boolean,
): void {
  if (!checkObject(p, path, ref, true)) return;
  checkString(p, `${path}.kind`, ref.kind, true);
  checkString(p, `${path}.name`, ref.name, nameRequired);
  checkString(p, `${path}.group`, ref.group);
  checkString(p, `${path}.namespace`, ref.namespace);
}

function checkPort(
  p: Problems,
  path: string,
  port: unknown,
  required: boolean,
): void {
  if (port === undefined || port === null) {
    if (required) p.add(path, 'Required value');
    return;
  }
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      p.add(path, 'port must be between 1-65535');
  } else if (typeof port !== 'string' || port.length === 0) {
    p.add(path, 'must be a port number or name');
  }
}

/** Server (v1beta1..v1beta3). */
export function validateServer(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  checkPort(p, 'spec.port', spec.port, true);
  const hasPods = spec.podSelector !== undefined && spec.podSelector !== null;
  const hasExternal =
    spec.externalWorkloadSelector !== undefined &&
    spec.externalWorkloadSelector !== null;
  if (hasPods === hasExternal)
    p.add(
      'spec',
      'exactly one of podSelector or externalWorkloadSelector must be set',
    );
  if (hasPods) checkLabelSelector(p, 'spec.podSelector', spec.podSelector);
  if (hasExternal)
    checkLabelSelector(
      p,
      'spec.externalWorkloadSelector',
      spec.externalWorkloadSelector,
    );
  checkString(p, 'spec.proxyProtocol', spec.proxyProtocol);
  checkString(p, 'spec.accessPolicy', spec.accessPolicy);
  return p.list;
}

/** ServerAuthorization (v1beta1). */
export function validateServerAuthorization(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  if (checkObject(p, 'spec.server', spec.server, true)) {
    checkString(p, 'spec.server.name', spec.server.name);
    if (spec.server.selector !== undefined)
      checkLabelSelector(p, 'spec.server.selector', spec.server.selector);
  }
  if (checkObject(p, 'spec.client', spec.client, true)) {
    const c = spec.client;
    if (checkObject(p, 'spec.client.meshTLS', c.meshTLS)) {
      const m = c.meshTLS;
      checkStringArray(p, 'spec.client.meshTLS.identities', m.identities);
      if (
        checkArray(p, 'spec.client.meshTLS.serviceAccounts', m.serviceAccounts)
      ) {
        m.serviceAccounts.forEach((sa, i) => {
          if (
            checkObject(
              p,
              `spec.client.meshTLS.serviceAccounts[${i}]`,
              sa,
              true,
            )
          ) {
            checkString(
              p,
              `spec.client.meshTLS.serviceAccounts[${i}].name`,
              sa.name,
              true,
            );
          }
        });
      }
    }
    checkNetworks(p, 'spec.client.networks', c.networks, false);
  }
  return p.list;
}

function checkNetworks(
  p: Problems,
  path: string,
  networks: unknown,
  required: boolean,
): void {
  if (!checkArray(p, path, networks, required)) return;
  networks.forEach((n, i) => {
    if (!checkObject(p, `${path}[${i}]`, n, true)) return;
    if (
      checkString(p, `${path}[${i}].cidr`, n.cidr, true) &&
      !isCidrLike(n.cidr as string)
    ) {
      p.add(`${path}[${i}].cidr`, 'not a valid CIDR');
    }
    checkStringArray(p, `${path}[${i}].except`, n.except);
  });
}

/** AuthorizationPolicy (policy.linkerd.io v1alpha1). */
export function validateLinkerdAuthorizationPolicy(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  checkRef(p, 'spec.targetRef', spec.targetRef, true);
  if (p.list.length === 0) checkTargetAdmission(p, spec.targetRef as Json);
  if (
    checkArray(
      p,
      'spec.requiredAuthenticationRefs',
      spec.requiredAuthenticationRefs,
      true,
    )
  ) {
    spec.requiredAuthenticationRefs.forEach((r, i) =>
      checkRef(p, `spec.requiredAuthenticationRefs[${i}]`, r, true),
    );
    if (p.list.length === 0)
      checkAuthenticationRefsAdmission(p, spec.requiredAuthenticationRefs);
  }
  return p.list;
}

const ADMISSION = "(Linkerd's admission refuses the object)";

/**
 * A reference's group and kind as the policy controller compares them (linkerd2
 * `policy-controller/k8s/api/src/policy.rs` `targets_kind`): no group, or an empty one, is the
 * core API group; both are compared without case (returned in lower case).
 *
 * @public
 */
export function linkerdRefKind(ref: { [key: string]: unknown }): {
  group: string;
  kind: string;
  canonical: string;
} {
  const group = typeof ref.group === 'string' && ref.group ? ref.group : '';
  const kind = String(ref.kind);
  return {
    group: (group || 'core').toLowerCase(),
    kind: kind.toLowerCase(),
    canonical: group ? `${kind}.${group}` : kind,
  };
}

/**
 * How the engine names the Gateway API's HTTPRoute beside Linkerd's (`HTTPRoute`): the two are
 * different objects to the policy controller, even with one name.
 */
export const GATEWAY_HTTP_ROUTE = `HTTPRoute.${GATEWAY_API_GROUP}`;

/** The name {@link linkerdRefTarget} gives the kind of an object of the snapshot. */
export function linkerdObjectKind(o: { kind: string; apiVersion: string }) {
  return o.kind === 'HTTPRoute' &&
    o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)
    ? GATEWAY_HTTP_ROUTE
    : o.kind;
}

/**
 * The Linkerd Servers a Gateway API route's `parentRefs` name (group `policy.linkerd.io`, kind
 * `Server`; the Gateway API's CRD defaults a missing group to its own, which names no Server).
 */
export function gatewayRouteServers(spec: unknown): string[] {
  if (!isObject(spec) || !Array.isArray(spec.parentRefs)) return [];
  return spec.parentRefs
    .filter(
      (p): p is Json =>
        isObject(p) &&
        typeof p.group === 'string' &&
        linkerdRefTarget(p) === 'Server',
    )
    .map(p => String(p.name));
}

/**
 * Whether a Gateway API HTTPRoute or GRPCRoute attaches to a Linkerd Server. The engine reads
 * only those of the Gateway API's routes.
 *
 * @public
 */
export function gatewayRouteOnServer(spec: unknown): boolean {
  return gatewayRouteServers(spec).length > 0;
}

/** The kinds the engine reads among those references name, by `group/kind` in lower case. */
const READ_KINDS: Record<string, string> = {
  'policy.linkerd.io/server': 'Server',
  'policy.linkerd.io/httproute': 'HTTPRoute',
  [`${GATEWAY_API_GROUP}/httproute`]: GATEWAY_HTTP_ROUTE,
  'policy.linkerd.io/meshtlsauthentication': 'MeshTLSAuthentication',
  'policy.linkerd.io/networkauthentication': 'NetworkAuthentication',
  'core/serviceaccount': 'ServiceAccount',
  'core/namespace': 'Namespace',
};

/**
 * The kind a `targetRef`, `requiredAuthenticationRefs` entry or `parentRefs` entry names, spelt
 * as the snapshot's objects are (`Server`, `HTTPRoute`, `MeshTLSAuthentication`,
 * `NetworkAuthentication`, `ServiceAccount`, `Namespace`; the Gateway API's HTTPRoute is
 * {@link GATEWAY_HTTP_ROUTE}), matched as the policy controller matches it
 * ({@link linkerdRefKind}); `undefined` for any other kind, e.g. the Gateway API's GRPCRoute,
 * which the engine does not read, or a `Server` without `group: policy.linkerd.io`.
 */
export function linkerdRefTarget(ref: Json): string | undefined {
  const { group, kind } = linkerdRefKind(ref);
  return READ_KINDS[`${group}/${kind}`];
}

/**
 * What an AuthorizationPolicy may target, as `group/kind` (lower case): the policy controller
 * indexes a Server, the policy's Namespace, and Linkerd's or the Gateway API's HTTPRoute and
 * the Gateway API's GRPCRoute (`inbound/authorization_policy.rs` `target`), and its admission
 * webhook refuses any other target.
 */
const LINKERD_AUTHORIZATION_TARGETS = new Set([
  'policy.linkerd.io/server',
  'core/namespace',
  'policy.linkerd.io/httproute',
  `${GATEWAY_API_GROUP}/httproute`,
  `${GATEWAY_API_GROUP}/grpcroute`,
]);

/**
 * The admission webhook's check of `targetRef` (`validate` of the index's
 * `authorization_policy.rs`): a target of another kind is refused — `kind: Server` without
 * `group: policy.linkerd.io` names the core group's "Server", which does not exist. Read as
 * written, such a policy would authorize callers on a Server that, without it, denies them.
 */
function checkTargetAdmission(p: Problems, ref: Json): void {
  const { group, kind, canonical } = linkerdRefKind(ref);
  if (LINKERD_AUTHORIZATION_TARGETS.has(`${group}/${kind}`)) return;
  const missingGroup =
    group === 'core' && (kind === 'server' || kind === 'httproute');
  p.add(
    'spec.targetRef',
    `unsupported authorization target type: ${canonical}${
      missingGroup
        ? ' (without a group the reference names the core API group: set group: policy.linkerd.io)'
        : ''
    } ${ADMISSION}`,
  );
}

/**
 * What the policy controller's admission webhook refuses in `requiredAuthenticationRefs`
 * (linkerd2 `policy-controller/runtime/src/admission.rs`): more than one MeshTLSAuthentication,
 * ServiceAccount or NetworkAuthentication, a MeshTLSAuthentication beside a ServiceAccount, and
 * any other kind, matched with its group (a MeshTLSAuthentication without `group:
 * policy.linkerd.io` is another kind). Read as written, such a policy authorizes callers that
 * the Server, without it, denies.
 */
function checkAuthenticationRefsAdmission(p: Problems, refs: unknown[]): void {
  const path = 'spec.requiredAuthenticationRefs';
  let mtls = 0;
  let accounts = 0;
  let networks = 0;
  const unsupported: string[] = [];
  for (const r of refs.filter(isObject)) {
    const { group, kind, canonical } = linkerdRefKind(r);
    if (group === 'policy.linkerd.io' && kind === 'meshtlsauthentication')
      mtls++;
    else if (group === 'policy.linkerd.io' && kind === 'networkauthentication')
      networks++;
    else if (group === 'core' && kind === 'serviceaccount') accounts++;
    else unsupported.push(canonical);
  }
  if (mtls > 1)
    p.add(path, `only a single MeshTLSAuthentication may be set ${ADMISSION}`);
  if (accounts > 1)
    p.add(path, `only a single ServiceAccount may be set ${ADMISSION}`);
  if (mtls > 0 && accounts > 0)
    p.add(
      path,
      `a MeshTLSAuthentication and ServiceAccount may not be set together ${ADMISSION}`,
    );
  if (networks > 1)
    p.add(path, `only a single NetworkAuthentication may be set ${ADMISSION}`);
  if (unsupported.length > 0)
    p.add(
      path,
      `unsupported authentication kind(s): ${unsupported.join(
        ', ',
      )} ${ADMISSION}`,
    );
}

const DNS_LIKE_IDENTITY =
  /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why the admission webhook refuses a MeshTLSAuthentication identity, if it does. */
function identityProblem(id: string): string | undefined {
  if (!id.startsWith('spiffe://'))
    return DNS_LIKE_IDENTITY.test(id)
      ? undefined
      : 'must be a valid SPIFFE id or a DNS SAN';
  const rest = id.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const domain = slash < 0 ? rest : rest.slice(0, slash);
  if (domain === '') return 'SPIFFE trust domain is missing';
  if (!/^[a-z0-9._-]+$/.test(domain))
    return 'SPIFFE trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores';
  if (slash < 0) return undefined;
  const segments = rest.slice(slash + 1).split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '')
      return i === segments.length - 1
        ? 'SPIFFE path cannot have a trailing slash'
        : 'SPIFFE path cannot contain empty segments';
    if (segment === '.' || segment === '..')
      return 'SPIFFE path cannot contain dot segments';
    if (!/^[A-Za-z0-9._-]+$/.test(segment))
      return 'SPIFFE path segment characters are limited to letters, numbers, dots, dashes, and underscores';
  }
  return undefined;
}

/** MeshTLSAuthentication (v1alpha1): exactly one of identities / identityRefs, non-empty. */
export function validateMeshTlsAuthentication(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  const hasIds = spec.identities !== undefined;
  const hasRefs = spec.identityRefs !== undefined;
  if (hasIds === hasRefs)
    p.add('spec', 'exactly one of identities or identityRefs must be set');
  if (
    checkStringArray(p, 'spec.identities', spec.identities) &&
    (spec.identities as string[]).length === 0
  ) {
    p.add('spec.identities', 'should have at least 1 items');
  }
  if (checkArray(p, 'spec.identityRefs', spec.identityRefs)) {
    if (spec.identityRefs.length === 0)
      p.add('spec.identityRefs', 'should have at least 1 items');
    spec.identityRefs.forEach((r, i) =>
      checkRef(p, `spec.identityRefs[${i}]`, r, false),
    );
  }
  if (p.list.length > 0) return p.list;
  // The admission webhook: identities in SPIFFE or DNS form, identityRefs of a ServiceAccount or
  // a (cluster-scoped) Namespace.
  ((spec.identities as string[] | undefined) ?? []).forEach((id, i) => {
    const problem = identityProblem(id);
    if (problem)
      p.add(
        `spec.identities[${i}]`,
        `id ${id} is invalid: ${problem} ${ADMISSION}`,
      );
  });
  ((spec.identityRefs as Json[] | undefined) ?? []).forEach((r, i) => {
    const { group, kind, canonical } = linkerdRefKind(r);
    if (group === 'core' && kind === 'serviceaccount') return;
    if (group === 'core' && kind === 'namespace') {
      if (typeof r.namespace === 'string' && r.namespace)
        p.add(
          `spec.identityRefs[${i}]`,
          `Namespace identity_ref is cluster-scoped and cannot have a namespace ${ADMISSION}`,
        );
      return;
    }
    p.add(
      `spec.identityRefs[${i}]`,
      `invalid identity target kind: ${canonical} ${ADMISSION}`,
    );
  });
  return p.list;
}

/** NetworkAuthentication (v1alpha1). */
export function validateNetworkAuthentication(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  checkNetworks(p, 'spec.networks', spec.networks, true);
  return p.list;
}

/** HTTPRoute (policy.linkerd.io / gateway API shape): parentRefs and matches. */
export function validateHttpRoute(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  if (checkArray(p, 'spec.parentRefs', spec.parentRefs)) {
    spec.parentRefs.forEach((r, i) =>
      checkRef(p, `spec.parentRefs[${i}]`, r, true),
    );
  }
  checkStringArray(p, 'spec.hostnames', spec.hostnames);
  if (checkArray(p, 'spec.rules', spec.rules)) {
    spec.rules.forEach((rule, i) => {
      if (!checkObject(p, `spec.rules[${i}]`, rule, true)) return;
      if (checkArray(p, `spec.rules[${i}].filters`, rule.filters))
        rule.filters.forEach((f, j) =>
          checkRouteFilter(p, `spec.rules[${i}].filters[${j}]`, f),
        );
      if (!checkArray(p, `spec.rules[${i}].matches`, rule.matches)) return;
      rule.matches.forEach((m, j) =>
        checkRouteMatch(p, `spec.rules[${i}].matches[${j}]`, m),
      );
    });
  }
  return p.list;
}

/** The filters Linkerd's inbound routes apply (linkerd2 `inbound/index/http.rs`). */
const INBOUND_FILTERS = [
  'requestHeaderModifier',
  'responseHeaderModifier',
  'requestRedirect',
];

/**
 * A route filter Linkerd's inbound routes support. The policy controller binds an HTTPRoute on
 * a Server only if every filter is a header modifier or a redirect (`try_gateway_filter`): with
 * a `RequestMirror`, `URLRewrite` or `ExtensionRef` filter — which the Gateway API's HTTPRoute
 * accepts — it logs "Ignoring HTTPRoute" and the route, with its authorizations, does not exist
 * for the proxy.
 */
function checkRouteFilter(p: Problems, path: string, f: unknown): void {
  if (!checkObject(p, path, f, true)) return;
  if (INBOUND_FILTERS.some(k => f[k] !== undefined && f[k] !== null)) return;
  p.add(
    path,
    `${
      typeof f.type === 'string' ? f.type : 'this'
    } filter is not supported on a Server's routes (Linkerd's policy controller ignores the route)`,
  );
}

/** An HTTPRouteMatch: the fields route matching reads (CRD enums and required names/values). */
function checkRouteMatch(p: Problems, path: string, m: unknown): void {
  if (!checkObject(p, path, m, true)) return;
  if (checkObject(p, `${path}.path`, m.path)) {
    checkEnum(p, `${path}.path.type`, m.path.type, [
      'Exact',
      'PathPrefix',
      'RegularExpression',
    ]);
    checkString(p, `${path}.path.value`, m.path.value);
  }
  checkEnum(p, `${path}.method`, m.method, HTTP_METHODS);
  for (const field of ['headers', 'queryParams'] as const) {
    const list = m[field];
    if (!checkArray(p, `${path}.${field}`, list)) continue;
    list.forEach((v, k) => {
      const vp = `${path}.${field}[${k}]`;
      if (!checkObject(p, vp, v, true)) return;
      checkString(p, `${vp}.name`, v.name, true);
      checkString(p, `${vp}.value`, v.value, true);
      checkEnum(p, `${vp}.type`, v.type, ['Exact', 'RegularExpression']);
    });
  }
}

function checkPeers(p: Problems, path: string, peers: unknown): void {
  if (!checkArray(p, path, peers)) return;
  peers.forEach((peer, i) => {
    const pp = `${path}[${i}]`;
    if (!checkObject(p, pp, peer, true)) return;
    if (peer.podSelector !== undefined)
      checkKubernetesLabelSelector(p, `${pp}.podSelector`, peer.podSelector);
    if (peer.namespaceSelector !== undefined)
      checkKubernetesLabelSelector(
        p,
        `${pp}.namespaceSelector`,
        peer.namespaceSelector,
      );
    if (
      peer.ipBlock !== undefined &&
      checkObject(p, `${pp}.ipBlock`, peer.ipBlock)
    ) {
      const ib = peer.ipBlock;
      if (
        checkString(p, `${pp}.ipBlock.cidr`, ib.cidr, true) &&
        !isCidrLike(ib.cidr as string)
      ) {
        p.add(`${pp}.ipBlock.cidr`, 'not a valid CIDR');
      }
      checkStringArray(p, `${pp}.ipBlock.except`, ib.except);
      if (
        peer.podSelector !== undefined ||
        peer.namespaceSelector !== undefined
      ) {
        p.add(
          pp,
          'ipBlock may not be combined with podSelector or namespaceSelector',
        );
      }
    }
  });
}

/**
 * Why a NetworkPolicy port name is invalid (Kubernetes' IsValidPortName), if it is: a string port
 * is a named container port, so `"8080"` (no letter) is refused, not read as 8080.
 */
function portNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 15) return 'must be 1 to 15 characters';
  if (!/^[a-z0-9-]+$/.test(name))
    return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-'))
    return 'must not begin or end with a hyphen';
  return undefined;
}

function checkNetpolPorts(p: Problems, path: string, ports: unknown): void {
  if (!checkArray(p, path, ports)) return;
  ports.forEach((port, i) => {
    const at = `${path}[${i}]`;
    if (!checkObject(p, at, port, true)) return;
    checkPort(p, `${at}.port`, port.port, false);
    const name =
      typeof port.port === 'string' ? portNameProblem(port.port) : undefined;
    if (name) p.add(`${at}.port`, `Invalid value: "${port.port}": ${name}`);
    checkEnum(p, `${at}.protocol`, port.protocol, ['TCP', 'UDP', 'SCTP']);
    if (
      port.endPort !== undefined &&
      (typeof port.endPort !== 'number' ||
        typeof port.port !== 'number' ||
        port.endPort < port.port ||
        port.endPort > 65535)
    ) {
      p.add(
        `${at}.endPort`,
        'must be a number from port to 65535, and port must be numeric',
      );
    }
  });
}

/** NetworkPolicy (networking.k8s.io/v1). */
export function validateNetworkPolicy(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  // podSelector is required by the API (an empty object selects every pod).
  if (spec.podSelector === undefined || spec.podSelector === null)
    p.add('spec.podSelector', 'Required value');
  else checkKubernetesLabelSelector(p, 'spec.podSelector', spec.podSelector);
  if (checkStringArray(p, 'spec.policyTypes', spec.policyTypes)) {
    for (const t of spec.policyTypes as string[]) {
      if (t !== 'Ingress' && t !== 'Egress')
        p.add('spec.policyTypes', `Unsupported value: "${t}"`);
    }
  }
  for (const [key, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    if (!checkArray(p, `spec.${key}`, spec[key])) continue;
    (spec[key] as unknown[]).forEach((rule, i) => {
      if (rule === null) return; // `- {}` style rules may arrive as null from some YAML.
      if (!isObject(rule)) {
        p.add(`spec.${key}[${i}]`, 'must be an object');
        return;
      }
      checkPeers(p, `spec.${key}[${i}].${peersKey}`, rule[peersKey]);
      checkNetpolPorts(p, `spec.${key}[${i}].ports`, rule.ports);
    });
  }
  return p.list;
}

/**
 * ExternalWorkload (workload.linkerd.io v1beta1 `meshTLS`, v1alpha1 `meshTls`; linkerd2
 * charts/linkerd-crds `external-workload.yaml`).
 */
function validateExternalWorkload(version: string, spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  const key = version === 'v1alpha1' ? 'meshTls' : 'meshTLS';
  const tls = spec[key];
  if (checkObject(p, `spec.${key}`, tls, true)) {
    for (const field of ['identity', 'serverName'] as const) {
      const value = tls[field];
      if (
        checkString(p, `spec.${key}.${field}`, value, true) &&
        (value.length < 1 || value.length > 253)
      )
        p.add(`spec.${key}.${field}`, 'must have 1 to 253 characters');
    }
  }
  if (checkArray(p, 'spec.ports', spec.ports))
    spec.ports.forEach((port, i) => {
      if (!checkObject(p, `spec.ports[${i}]`, port, true)) return;
      if (
        typeof port.port !== 'number' ||
        !Number.isInteger(port.port) ||
        port.port < 1 ||
        port.port > 65535
      )
        p.add(`spec.ports[${i}].port`, 'must be an integer between 1-65535');
      checkString(p, `spec.ports[${i}].name`, port.name);
      checkString(p, `spec.ports[${i}].protocol`, port.protocol);
    });
  if (checkArray(p, 'spec.workloadIPs', spec.workloadIPs)) {
    if (spec.workloadIPs.length > 1)
      p.add('spec.workloadIPs', 'must have at most 1 items');
    spec.workloadIPs.forEach((entry, i) => {
      if (
        checkObject(p, `spec.workloadIPs[${i}]`, entry, true) &&
        checkString(p, `spec.workloadIPs[${i}].ip`, entry.ip) &&
        (entry.ip.includes('/') || !isCidrLike(entry.ip))
      )
        p.add(`spec.workloadIPs[${i}].ip`, 'not a valid IP address');
    });
  }
  return p.list;
}

/**
 * EgressNetwork (policy.linkerd.io v1alpha1; linkerd2 charts/linkerd-crds `egress-network.yaml`
 * and the policy controller's admission: `networks`, when given, is not empty).
 */
function validateEgressNetwork(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  if (spec.trafficPolicy === undefined || spec.trafficPolicy === null)
    p.add('spec.trafficPolicy', 'Required value');
  checkEnum(p, 'spec.trafficPolicy', spec.trafficPolicy, ['Allow', 'Deny']);
  if (Array.isArray(spec.networks) && spec.networks.length === 0)
    p.add('spec.networks', 'at least one network must be specified');
  checkNetworks(p, 'spec.networks', spec.networks, false);
  return p.list;
}

const KEPT_VERSIONS: Record<string, string[]> = {
  ExternalWorkload: ['v1beta1', 'v1alpha1'],
  EgressNetwork: ['v1alpha1'],
};

/** Problems of a kept Linkerd ExternalWorkload or EgressNetwork, version included; others: none. */
export function validateLinkerdKeptKind(
  kind: string,
  apiVersion: string,
  spec: unknown,
): string[] {
  const versions = KEPT_VERSIONS[kind];
  if (!versions) return [];
  if (!versions.includes(apiVersion))
    return [
      `apiVersion: ${
        kind === 'ExternalWorkload' ? 'workload' : 'policy'
      }.linkerd.io/${apiVersion} is not a served version of ${kind}`,
    ];
  return kind === 'ExternalWorkload'
    ? validateExternalWorkload(apiVersion, spec)
    : validateEgressNetwork(spec);
}
