import {
  SnapshotNamespace,
  SnapshotService,
  SnapshotWorkload,
} from '../../model';
import { opaquePort } from '../linkerd/authorization';
import { serviceSelects, servicesIn } from './match';
import { carriedByMesh, declaredPort, protocolOf } from './ports';
import { PortMemo } from './portMemo';

/*
 * The protocol of a receiving port as access edges show it (docs/engine.md "Port protocol on
 * edges"): the transport when it is not TCP (`UDP`, `SCTP`: the mesh does not carry it), else
 * the application protocol the meshes read from configuration — Istio's explicit protocol
 * selection (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/):
 * a Service port's `appProtocol`, which "takes precedence over the port name", else its name
 * `<protocol>[-<suffix>]`; Linkerd's `config.linkerd.io/opaque-ports` (pod template, else
 * namespace; https://linkerd.io/2-edge/features/protocol-detection/) makes it `opaque` — else
 * `TCP`. Several Services declaring different protocols for one port give them all, sorted.
 */

/** The protocols Istio's explicit protocol selection names. */
const ISTIO_PROTOCOLS = new Set([
  'http',
  'http2',
  'https',
  'tcp',
  'tls',
  'grpc',
  'grpc-web',
  'mongo',
  'mysql',
  'redis',
  'udp',
]);

/** A Service port's declared protocol: `appProtocol`, else a protocol-prefixed name. */
function declared(sp: SnapshotService['ports'][number]): string | undefined {
  if (sp.appProtocol) return sp.appProtocol.toLowerCase();
  const prefix = sp.name?.toLowerCase().split('-')[0];
  if (!prefix) return undefined;
  // `grpc-web` is the one protocol with a dash.
  if (sp.name?.toLowerCase().startsWith('grpc-web')) return 'grpc-web';
  return ISTIO_PROTOCOLS.has(prefix) ? prefix : undefined;
}

/**
 * Per Services list (one per read of the non-workload objects: the namespaces and mesh config are
 * read with it), then per workload: a workload object may outlive its snapshot when the
 * incremental evaluator keeps it (docs/engine.md "Incremental evaluation").
 */
const cache = new WeakMap<
  SnapshotService[],
  PortMemo<SnapshotWorkload, string>
>();
/** The protocol of the workload's port `port` (a container port number), cached. */
export function portProtocol(
  w: SnapshotWorkload,
  port: number,
  services: SnapshotService[],
  namespace: SnapshotNamespace | undefined,
  /** For a Linkerd workload: the ports its proxy treats as opaque unless annotated. */
  opaqueDefaults?: string,
): string {
  let perWorkload = cache.get(services);
  if (!perWorkload) cache.set(services, (perWorkload = new PortMemo()));
  return perWorkload.get(w, port, () =>
    computeProtocol(w, port, services, namespace, opaqueDefaults),
  );
}

function computeProtocol(
  w: SnapshotWorkload,
  port: number,
  services: SnapshotService[],
  namespace: SnapshotNamespace | undefined,
  opaqueDefaults: string | undefined,
): string {
  const p = declaredPort(w.ports, port);
  if (p && !carriedByMesh(p)) return protocolOf(p);
  if (opaquePort(w, namespace, port, opaqueDefaults)) return 'opaque';
  const found = new Set<string>();
  for (const service of servicesIn(services, w.namespace)) {
    if (!serviceSelects(service, w.labels)) continue;
    for (const sp of service.ports) {
      if (sp.protocol !== undefined && sp.protocol !== 'TCP') continue;
      const tp = sp.targetPort ?? sp.port;
      let resolved: number | undefined;
      if (typeof tp === 'number') resolved = tp;
      else if (/^\d+$/.test(tp)) resolved = Number(tp);
      else resolved = w.ports.find(x => x.name === tp)?.port;
      const protocol = resolved === port ? declared(sp) : undefined;
      if (protocol) found.add(protocol);
    }
  }
  return found.size > 0 ? [...found].sort().join(', ') : 'TCP';
}

/** Protocols of Istio's explicit protocol selection an Envoy does not handle as HTTP. */
const ISTIO_NOT_HTTP = new Set([
  'tcp',
  'tls',
  'https',
  'mongo',
  'mysql',
  'redis',
]);

const tcpDeclaring = new WeakMap<SnapshotService[], Set<string>>();
/** The namespaces of which some Service port declares one of {@link ISTIO_NOT_HTTP}. */
function tcpDeclaringNamespaces(services: SnapshotService[]): Set<string> {
  let namespaces = tcpDeclaring.get(services);
  if (!namespaces) {
    namespaces = new Set();
    for (const service of services) {
      if (
        service.ports.some(sp => {
          const protocol = declared(sp);
          return protocol !== undefined && ISTIO_NOT_HTTP.has(protocol);
        })
      )
        namespaces.add(service.namespace);
    }
    tcpDeclaring.set(services, namespaces);
  }
  return namespaces;
}

/**
 * Why the Envoy in front of a port (its sidecar, or a waypoint) receives its traffic as TCP, or
 * undefined when it may be HTTP: every Service port targeting it declares a protocol that is not
 * HTTP ({@link portProtocol}). Envoy enforces AuthorizationPolicies on TCP traffic at L4
 * ("Authorization Policy for TCP",
 * https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/). A port no Service
 * declares is detected per connection: HTTP requests meet the HTTP rules.
 */
export function istioTcpPort(
  w: SnapshotWorkload,
  port: number,
  services: SnapshotService[],
  namespace: SnapshotNamespace | undefined,
): string | undefined {
  // Most namespaces declare no such protocol: answered without resolving the port.
  if (!tcpDeclaringNamespaces(services).has(w.namespace)) return undefined;
  const protocol = portProtocol(w, port, services, namespace);
  return protocol.split(', ').every(p => ISTIO_NOT_HTTP.has(p))
    ? `port ${port} is declared ${protocol}, so its proxy receives TCP`
    : undefined;
}
