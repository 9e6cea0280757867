/**
 * The data planes a workload can belong to, observed from its live pods (proxy containers,
 * ztunnel redirection) or, without live pods, predicted from the injection labels and
 * annotations of the pod template and its namespace:
 *
 * - `istio-sidecar`: pods run an `istio-proxy` sidecar (Istio sidecar mode);
 * - `istio-ambient`: pods are captured by ztunnel (Istio ambient mode, namespace or pod label
 *   `istio.io/dataplane-mode=ambient`), with a waypoint proxy when `istio.io/use-waypoint` is set;
 * - `linkerd`: pods run a `linkerd-proxy` (annotation `linkerd.io/inject: enabled`);
 * - `none`: no mesh proxy: the workload sends and accepts plaintext only.
 *
 * @public
 */
export const MESHES = [
  'istio-sidecar',
  'istio-ambient',
  'linkerd',
  'none',
] as const;

/**
 * One of {@link MESHES}.
 *
 * @public
 */
export type Mesh = (typeof MESHES)[number];

/**
 * The mTLS modes of a port (`STRICT` | `PERMISSIVE` | `DISABLED`) or of a workload (the ports'
 * common mode, `PARTIAL` when ports or live pods differ), best first: the order of the overview's
 * chart and of its `mtls` sort. `UNKNOWN` only when data is missing, always together with a
 * reason.
 *
 * - `STRICT`: only mTLS connections are accepted (Istio: PeerAuthentication `mtls.mode: STRICT`;
 *   Linkerd: a port listed in `config.linkerd.io/proxy-require-identity-inbound-ports`, a Server
 *   whose authorizations all require a mesh identity, or a `*-authenticated`/`deny` default
 *   inbound policy);
 * - `PERMISSIVE`: both mTLS and plaintext are accepted (Istio's default when no
 *   PeerAuthentication sets a mode; Linkerd's default inbound policy `all-unauthenticated`);
 * - `DISABLED`: plaintext only: PeerAuthentication `DISABLE`, a port that bypasses the proxy
 *   (e.g. `traffic.sidecar.istio.io/excludeInboundPorts`, `config.linkerd.io/skip-inbound-ports`),
 *   or no mesh proxy at all;
 * - `PARTIAL` (workloads and components only): the ports, the live pods or the workloads differ;
 * - `UNKNOWN`: the mode cannot be decided from the data read (e.g. the namespace object or a
 *   conflicting policy's age is missing); the accompanying reason says what is missing.
 *
 * @public
 */
export const MTLS_MODES = [
  'STRICT',
  'PERMISSIVE',
  'PARTIAL',
  'DISABLED',
  'UNKNOWN',
] as const;

/**
 * One of {@link MTLS_MODES}.
 *
 * @public
 */
export type MtlsMode = (typeof MTLS_MODES)[number];

/**
 * The mTLS mode of one container port of a workload.
 *
 * @public
 */
export interface PortMtls {
  /** Container port number (the pod's `containerPort`, not a Service port). */
  port: number;
  /** Port name from the pod template (`ports[].name`); absent when the port is unnamed. */
  name?: string;
  /** Port protocol: `TCP` (Kubernetes' default when the template omits it), `UDP` or `SCTP`. */
  protocol?: string;
  /**
   * The application protocol the mesh reads from configuration for this TCP port, as the
   * port's caller edges carry it (docs/engine.md "Port protocol on edges"): `opaque` for a
   * Linkerd opaque port, else what the Services targeting it declare (`appProtocol`, else a
   * `<protocol>-` port name: `http`, `tcp`, …; several sorted: `http, tcp`). Absent when nothing
   * declares one: the proxy detects it per connection.
   */
  appProtocol?: string;
  /**
   * Set when the port's TCP traffic bypasses the workload's proxy by annotation (Istio's
   * `traffic.sidecar.istio.io/excludeInboundPorts` / `includeInboundPorts`, Linkerd's
   * `config.linkerd.io/skip-inbound-ports`): no mTLS and no authorization apply there. Not set
   * for UDP and SCTP ports (`protocol` says so) nor for workloads without a proxy.
   */
  bypassesProxy?: true;
  /** What the port accepts: `STRICT`, `PERMISSIVE`, `DISABLED`, or `UNKNOWN` (never `PARTIAL`). */
  mtls: MtlsMode;
  /** Why this mode (the deciding policy or annotation), always set for UNKNOWN/DISABLED. */
  reason?: string;
}
