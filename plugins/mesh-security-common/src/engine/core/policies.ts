import { JsonObject, SnapshotPolicy, WorkloadRef } from '../../model';
import { EngineContext } from './context';
import { istioServerPolicies } from './access';

type P = SnapshotPolicy<JsonObject>;

/**
 * The policies that apply to a workload as a server, in the order a reader would look at them:
 * PeerAuthentications (mesh-wide, namespace-wide, workload — Istio "PeerAuthentication"
 * precedence), AuthorizationPolicies (root namespace and own namespace, by selector),
 * DestinationRules for the workload's Services and ServiceEntries, Linkerd Servers on its ports, the
 * authorizations targeting them and their HTTPRoutes, and the NetworkPolicies selecting its pods.
 * Uses the same indexes as the verdicts, so the list and the verdicts never disagree.
 */
export function policiesFor(ctx: EngineContext, ref: WorkloadRef): P[] {
  const workload = ctx.find(ref);
  if (!workload) return [];
  const info = ctx.info(workload);
  const out: P[] = [];
  const add = (p: P | undefined) => {
    if (p && !out.includes(p)) out.push(p);
  };
  const mesh = info.membership.mesh;
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient') {
    ctx.peerAuth.meshWide().forEach(add);
    ctx.peerAuth.namespaceWide(workload.namespace).forEach(add);
    ctx.peerAuth.forWorkload(workload.namespace, workload.labels).forEach(add);
    istioServerPolicies(ctx, info).forEach(add);
    const hosts = new Set<string>();
    for (const port of workload.ports) {
      for (const { service } of ctx.destinationRules.servicesFor(
        workload,
        port.port,
      )) {
        hosts.add(service.name);
        hosts.add(`${service.name}.${service.namespace}`);
        hosts.add(`${service.name}.${service.namespace}.svc`);
        hosts.add(
          `${service.name}.${service.namespace}.svc.${ctx.options.trustDomain}`,
        );
        hosts.add(`${service.name}.${service.namespace}.svc.cluster.local`);
      }
      // The hosts of ServiceEntries selecting it (docs/engine.md "Istio service registry").
      for (const entry of ctx.destinationRules.registry.entriesFor(
        workload,
        port.port,
      ))
        entry.hosts.forEach(h => hosts.add(h));
    }
    for (const destinationRule of ctx.snapshot.istio.destinationRules) {
      const host =
        typeof destinationRule.spec.host === 'string'
          ? destinationRule.spec.host
          : '';
      // A short host name is interpreted in the DestinationRule's own namespace.
      const qualified = host.includes('.')
        ? host
        : `${host}.${destinationRule.namespace}`;
      if (hosts.has(qualified)) add(destinationRule);
    }
  }
  if (mesh === 'linkerd') {
    for (const port of workload.ports) {
      for (const server of ctx.linkerd.serversFor(workload, port.port)) {
        add(server);
        const view = ctx.linkerd.serverView(server);
        view.all.forEach(a => add(a.policy));
        // Attached HTTPRoutes decide which requests are served at all (others get 404).
        view.routes.forEach(r => add(r.route));
      }
    }
  }
  ctx.netpol.selectingWorkload(workload).forEach(add);
  return out;
}
