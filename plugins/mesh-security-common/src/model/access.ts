import { MtlsMode } from './mesh';
import { WorkloadRef } from './workload';

/**
 * The layer that decided (part of) an access decision:
 *
 * - `mtls`: what the client sends (mTLS or plaintext, per Istio auto mTLS, DestinationRule TLS
 *   settings, the Linkerd proxy or ztunnel) against what the target port accepts (`STRICT`
 *   rejects plaintext);
 * - `authorization`: the target's mesh authorization (Istio AuthorizationPolicy; Linkerd Server,
 *   ServerAuthorization, AuthorizationPolicy and default inbound policy);
 * - `network-policy`: Kubernetes NetworkPolicies isolating the target's pods (ingress).
 *
 * @public
 */
export type AccessLayer = 'mtls' | 'authorization' | 'network-policy';

/**
 * Who sends a request: a workload in the snapshot, a plaintext client outside the cluster, or a
 * Linkerd `ExternalWorkload` of the snapshot (a meshed workload outside Kubernetes, presenting
 * its `meshTLS.identity`; docs/engine.md "Linkerd ExternalWorkload").
 *
 * @public
 */
export type AccessSource =
  | WorkloadRef
  | { kind: 'external' }
  | ExternalWorkloadSource;

/**
 * A Linkerd `ExternalWorkload` as the client of an {@link AccessRequest}.
 *
 * @public
 */
export interface ExternalWorkloadSource {
  /** Always `external-workload`. */
  kind: 'external-workload';
  /** The ExternalWorkload's namespace. */
  namespace: string;
  /** The ExternalWorkload's name. */
  name: string;
}

/**
 * What the `port`, `method` and `path` of an {@link AccessRequest} may be, as checked by
 * `POST /check` and by `mesh-security check`: a TCP port, an upper-case method token (RFC 9110
 * §9.1), and an origin-form path (RFC 9112 §3.2.1) without whitespace or control characters,
 * which a URI never holds raw (RFC 3986 §2). Lengths are bounded.
 *
 * @public
 */
export const ACCESS_REQUEST_RULES = {
  port: { minimum: 1, maximum: 65535 },
  method: {
    maxLength: 16,
    pattern: /^[A-Z]+$/,
    message: 'method must be an upper-case HTTP method',
  },
  path: {
    maxLength: 2048,
    // eslint-disable-next-line no-control-regex
    pattern: /^\/[^\s\u0000-\u001f\u007f]*$/,
    message:
      'path must start with / and contain no spaces or control characters',
  },
} as const;

/**
 * The HTTP methods a policy may name: RFC 9110 §9.3's and PATCH (RFC 5789), in the order of the
 * Gateway API `HTTPMethod` enum that Linkerd's HTTPRoute matches use. The access-change actions
 * accept exactly these.
 *
 * @public
 */
export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

/**
 * A request to check: from, to, port, and optionally HTTP method and path.
 *
 * @public
 */
export interface AccessRequest {
  /**
   * The client: a workload of the snapshot, `{ kind: 'external' }` (plaintext, outside), or a
   * Linkerd ExternalWorkload (`{ kind: 'external-workload', namespace, name }`).
   */
  from: AccessSource;
  /** The server workload. */
  to: WorkloadRef;
  /** Target container port (the pod's port, not a Service port). */
  port: number;
  /**
   * HTTP method, upper case (e.g. `GET`); absent: a rule restricting methods cannot be
   * evaluated and is listed in {@link AccessDecision.cannotEvaluate}.
   */
  method?: string;
  /** HTTP request path, starting with `/`; absent: like `method`, for rules restricting paths. */
  path?: string;
  /** Optional HTTP host header (for AuthorizationPolicy `hosts`). */
  host?: string;
  /** Optional caller IP (for `ipBlocks` and NetworkPolicy `ipBlock`). */
  sourceIp?: string;
  /** Optional HTTP request headers, lower-case names (for `when` keys `request.headers[...]`). */
  headers?: Record<string, string>;
}

/**
 * One reason of a decision, naming its layer and, when a policy decided, that policy
 * (`Kind namespace/name`).
 *
 * @public
 */
export interface AccessReason {
  /** The layer this reason is about. */
  layer: AccessLayer;
  /**
   * The deciding object as `Kind namespace/name` (e.g. `PeerAuthentication prod/strict`), or
   * the deciding setting (e.g. a Linkerd annotation); absent when a default decided.
   */
  policy?: string;
  /** One sentence explaining the layer's verdict, e.g. "port 8080 is STRICT (…) and …". */
  message: string;
  /** The layer's verdict; the request is denied when any layer says `DENY`. */
  effect?: 'ALLOW' | 'DENY';
}

/**
 * The answer to an {@link AccessRequest}. `cannotEvaluate` lists conditions the request did not
 * give (e.g. a `when` key); the decision then leans to DENY.
 *
 * @public
 */
export interface AccessDecision {
  /** `ALLOW` only when every layer allows the request; `DENY` when at least one denies it. */
  decision: 'ALLOW' | 'DENY';
  /** One reason per layer, in order: `mtls`, `authorization`, `network-policy`. */
  reasons: AccessReason[];
  /**
   * Conditions the request did not give or the data did not settle (e.g. a `when` key, an
   * unknown mTLS mode); absent when everything could be evaluated.
   */
  cannotEvaluate?: string[];
}

/**
 * Workloads a summary peer leaves out: a whole namespace (`name` absent) or one workload.
 *
 * @public
 */
export interface PeerExclusion {
  /** The namespace left out, or the namespace of the workload left out. */
  namespace: string;
  /** The workload left out; absent when the whole namespace is. */
  name?: string;
  /** The workload's kind (`Deployment`, …); absent when the whole namespace is left out. */
  kind?: string;
}

/**
 * The peer kinds that stand for many workloads at once, each relative to the workload whose
 * list they are in (its mesh): `any-workload` every workload of the cluster; `any-meshed`
 * every workload of its mesh (`istio`: sidecar and ambient; `linkerd`); `outside-mesh` every
 * workload that is not; `namespace` every workload of one namespace. The workload itself is
 * never its own peer; `count` is how many workloads the peer stands for, `except` those it
 * leaves out.
 *
 * @public
 */
export const SUMMARY_PEER_KINDS = [
  'any-workload',
  'any-meshed',
  'outside-mesh',
  'namespace',
] as const;

/**
 * A peer standing for many workloads (see {@link SUMMARY_PEER_KINDS}).
 *
 * @public
 */
export type SummaryPeer =
  | { kind: 'any-workload'; count: number; except?: PeerExclusion[] }
  | {
      kind: 'any-meshed';
      mesh: 'istio' | 'linkerd';
      count: number;
      except?: PeerExclusion[];
    }
  | {
      kind: 'outside-mesh';
      mesh: 'istio' | 'linkerd';
      count: number;
      except?: PeerExclusion[];
    }
  | { kind: 'namespace'; namespace: string; count: number };

/**
 * Clients admitted by their network address rather than by a workload or mesh identity
 * (docs/engine.md, "Network peers"): an Istio AuthorizationPolicy `ipBlocks` /
 * `remoteIpBlocks` source, a Linkerd NetworkAuthentication or ServerAuthorization
 * `client.networks`. The peer stands for every client outside the mesh whose address lies in
 * `cidrs` but not in `except`; `address` is `remote` when the rule reads the original client
 * address (`remoteIpBlocks`: X-Forwarded-For or the PROXY protocol) rather than the
 * connection's source.
 *
 * @public
 */
export interface NetworkPeer {
  /** Always `network`. */
  kind: 'network';
  /** The address ranges (CIDRs or single addresses) the peer stands for. */
  cidrs: string[];
  /** Ranges left out. */
  except?: string[];
  /** `remote`: the original client address; absent: the connection's source address. */
  address?: 'remote';
}

/**
 * A Linkerd `ExternalWorkload` (docs/engine.md, "Linkerd ExternalWorkload"): a meshed workload
 * outside Kubernetes, calling over mTLS with the identity of its `meshTLS.identity` from the
 * addresses of its `workloadIPs`.
 *
 * @public
 */
export interface ExternalWorkloadPeer {
  /** Always `external-workload`. */
  kind: 'external-workload';
  /** The ExternalWorkload's namespace. */
  namespace: string;
  /** The ExternalWorkload's name. */
  name: string;
  /** Its `meshTLS.identity` (a SPIFFE id), the identity Linkerd servers authorize. */
  identity: string;
}

/**
 * A peer in the access graph: one workload, many workloads at once (a {@link SummaryPeer},
 * when every one of them has the same access), clients admitted by address (a
 * {@link NetworkPeer}), a Linkerd ExternalWorkload (an {@link ExternalWorkloadPeer}), or a
 * plaintext client outside the cluster.
 *
 * @public
 */
export type Peer =
  | (WorkloadRef & { kind: string })
  | SummaryPeer
  | NetworkPeer
  | ExternalWorkloadPeer
  | { kind: 'external-plaintext' };

/** Up to three entries of a list, then "+n more". */
function firstThree(list: string[]): string {
  const more = list.length > 3 ? [`+${list.length - 3} more`] : [];
  return [...list.slice(0, 3), ...more].join(', ');
}

/**
 * How a network peer is named: "Network 10.0.0.0/8 except 10.1.0.0/16", with "(original
 * client address)" for a `remoteIpBlocks` range.
 */
function networkPeerLabel(peer: NetworkPeer): string {
  const except =
    peer.except && peer.except.length > 0
      ? ` except ${firstThree(peer.except)}`
      : '';
  const remote = peer.address === 'remote' ? ' (original client address)' : '';
  return `Network ${firstThree(peer.cidrs)}${except}${remote}`;
}

const MESH_NAMES = { istio: 'Istio', linkerd: 'Linkerd' } as const;

/**
 * How a peer is named in graphs, tables and pull requests: `namespace/name` for a workload,
 * "Any Istio workload (12)", "Namespace payments (3)", … for a summary, with up to three of the
 * workloads it leaves out ("except legacy, shop/cart, +2 more").
 *
 * @public
 */
export function peerLabel(peer: Peer): string {
  if (peer.kind === 'external-plaintext') return 'External (plaintext)';
  if (peer.kind === 'network') return networkPeerLabel(peer as NetworkPeer);
  if (peer.kind === 'external-workload') {
    const { namespace, name, identity } = peer as ExternalWorkloadPeer;
    return `External workload ${namespace}/${name} (${identity})`;
  }
  if (isWorkloadPeer(peer)) return `${peer.namespace}/${peer.name}`;
  let name: string;
  switch (peer.kind) {
    case 'any-workload':
      name = `Any workload (${peer.count})`;
      break;
    case 'any-meshed':
      name = `Any ${MESH_NAMES[peer.mesh]} workload (${peer.count})`;
      break;
    case 'outside-mesh':
      name = `Any workload outside ${MESH_NAMES[peer.mesh]} (${peer.count})`;
      break;
    default: {
      const { namespace, count } = peer as { namespace: string; count: number };
      name = `Namespace ${namespace} (${count})`;
    }
  }
  const except =
    'except' in peer ? (peer as { except?: PeerExclusion[] }).except ?? [] : [];
  if (except.length === 0) return name;
  const shown = except
    .slice(0, 3)
    .map(e => (e.name ? `${e.namespace}/${e.name}` : e.namespace));
  const more = except.length > 3 ? [`+${except.length - 3} more`] : [];
  return `${name} except ${[...shown, ...more].join(', ')}`;
}

/**
 * Whether the peer is one workload of the snapshot (not a summary, not a client outside the
 * cluster, not an ExternalWorkload).
 *
 * @public
 */
export function isWorkloadPeer(
  peer: Peer,
): peer is WorkloadRef & { kind: string } {
  return (
    peer.kind !== 'external-plaintext' &&
    peer.kind !== 'network' &&
    peer.kind !== 'external-workload' &&
    !(SUMMARY_PEER_KINDS as readonly string[]).includes(peer.kind)
  );
}

/**
 * One edge of the access graph: who may call (or be called), on which port, and which layer
 * and policy decided it.
 *
 * @public
 */
export interface AccessEdge {
  /** The other end: the caller in a callers list, the callee in a callees list. */
  peer: Peer;
  /** The receiving container port: this workload's for a caller, the peer's for a callee. */
  port: number;
  /** Present when the allowing rule restricts HTTP methods. */
  methods?: string[];
  /** Present when the allowing rule restricts HTTP paths. */
  paths?: string[];
  /**
   * Present when several rules (or rule operations) with different HTTP restrictions allow the
   * peer: each allowed combination as its rule wrote it (`methods` and `paths` above are then
   * their union, which may pair a method with a path no rule pairs).
   */
  operations?: Array<{ methods?: string[]; paths?: string[] }>;
  /**
   * The most specific layer that allowed the edge and its policy (`Kind namespace/name`), in
   * the order authorization, network policy, mTLS; `default` when no policy decided (nothing
   * restricts this caller).
   */
  decidedBy: { layer: AccessLayer | 'default'; policy?: string };
  /**
   * The mTLS mode of the receiving port (the target's side of the edge); `PARTIAL` on a summary
   * edge whose workloads' ports differ.
   */
  portMtls: MtlsMode;
  /**
   * What the client sends on this connection: mesh mTLS, TLS without a mesh identity (a
   * DestinationRule `SIMPLE`/`MUTUAL`), or plaintext.
   */
  connection?: 'mtls' | 'tls' | 'plaintext';
  /**
   * The receiving port's protocol (docs/engine.md "Port protocol on edges"): `UDP`/`SCTP` when
   * the port is not TCP, else the application protocol its Services declare (`appProtocol` or a
   * `<protocol>-` port name, e.g. `http`, `grpc`), `opaque` for a Linkerd opaque port, else
   * `TCP`. Absent on a callee edge to a summary peer (its workloads may differ).
   */
  protocol?: string;
  /**
   * Set when the peer is a platform component: a workload of a platform namespace
   * (`EngineOptions.platformNamespaces`, e.g. istiod, coredns), or such a namespace's summary.
   * Graphs and tables group these edges instead of listing them one by one.
   */
  platform?: true;
  /** Conditions that could not be evaluated (the edge may be narrower in reality). */
  cannotEvaluate?: string[];
  /**
   * Present only on an edge of a blocked list (`blockedCallersOf`, `EntityWorkload.blockedCallers`):
   * configuration intends the connection but a layer rejects every request of it. Lists of
   * allowed callers and callees never hold such an edge.
   */
  blocked?: AccessBlock;
}

/**
 * Why an intended connection is rejected (docs/engine.md, "Blocked edges"): the layer that
 * rejects it, the deciding object, one sentence, and the finding that reports the mismatch.
 *
 * @public
 */
export interface AccessBlock {
  /** The rejecting layer: `mtls` (what the client sends) or `network-policy`. */
  layer: Exclude<AccessLayer, 'authorization'>;
  /** The deciding object as `Kind namespace/name` (e.g. `DestinationRule payments/x`). */
  policy?: string;
  /** One sentence: what the client sends or which policy isolates the target. */
  reason: string;
  /** The code of the finding that reports the mismatch (e.g. `MS103`), when one does. */
  finding?: string;
}

/**
 * The effective protection of one caller→port connection, as graphs and tables show it:
 * `mtls` (mesh mTLS), `tls` (TLS without a mesh identity: a DestinationRule `SIMPLE`/`MUTUAL`,
 * or a port whose application serves TLS itself), `plaintext`, `blocked` (configuration means
 * the connection but a layer rejects it; see {@link AccessEdge.blocked}), `unknown` (the edge
 * does not say).
 *
 * @public
 */
export const EDGE_PROTECTIONS = [
  'mtls',
  'tls',
  'plaintext',
  'blocked',
  'unknown',
] as const;

/**
 * One of {@link EDGE_PROTECTIONS}.
 *
 * @public
 */
export type EdgeProtection = (typeof EDGE_PROTECTIONS)[number];

/**
 * The effective protection of an edge: what its client sends (`connection`), not the receiving
 * port's mode (`portMtls`); `blocked` when a layer rejects it.
 *
 * @public
 */
export function edgeProtection(
  edge: Pick<AccessEdge, 'blocked' | 'connection'>,
): EdgeProtection {
  if (edge.blocked) return 'blocked';
  return edge.connection ?? 'unknown';
}
