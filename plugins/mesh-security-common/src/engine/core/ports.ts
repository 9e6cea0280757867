import { PortMtls } from '../../model';

/*
 * Mesh proxies carry TCP only (docs/engine.md "Port protocol"). Istio's "Protocol Selection"
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/):
 * any TCP traffic is proxied, non-TCP protocols such as UDP are not; ztunnel's HBONE multiplexes
 * TCP streams (https://istio.io/latest/docs/ambient/architecture/hbone/). Linkerd's "TCP
 * Proxying and Protocol Detection" (https://linkerd.io/2/features/protocol-detection/): the
 * proxy handles TCP traffic. A UDP or SCTP port is neither encrypted nor authorized by the mesh.
 */

/** The protocol of a container port: Kubernetes defaults it to TCP when the template omits it. */
export const protocolOf = (p: { protocol?: string }) => p.protocol ?? 'TCP';

/** Whether the mesh proxy carries a port's traffic (TCP only). */
export const carriedByMesh = (p: { protocol?: string }) =>
  protocolOf(p) === 'TCP';

/** A port as messages name it: the number, with the protocol when it is not TCP (53/UDP). */
export const portName = (p: { port: number; protocol?: string }) =>
  carriedByMesh(p) ? `${p.port}` : `${p.port}/${protocolOf(p)}`;

/** Why a port the mesh does not carry is DISABLED. */
export const notCarriedReason = (p: { port: number; protocol?: string }) =>
  `${protocolOf(
    p,
  )} is not carried by the mesh proxy (it captures TCP only): traffic on ${
    p.port
  }/${protocolOf(p)} is not encrypted`;

/**
 * The declared port a bare port number means: the TCP port of that number, else the one
 * declared with another protocol (a workload exposing 53 over UDP only). The access graph and
 * the access check ask by number (docs/engine.md "Not modelled": edges carry no protocol).
 */
export function declaredPort<T extends { port: number; protocol?: string }>(
  ports: readonly T[],
  port: number,
): T | undefined {
  let other: T | undefined;
  for (const p of ports) {
    if (p.port !== port) continue;
    if (carriedByMesh(p)) return p;
    other ??= p;
  }
  return other;
}

/** The ports of a workload with the ports the mesh does not carry set DISABLED. */
export function withUncarriedDisabled(ports: PortMtls[]): PortMtls[] {
  return ports.map(p =>
    carriedByMesh(p)
      ? p
      : { ...p, mtls: 'DISABLED', reason: notCarriedReason(p) },
  );
}
