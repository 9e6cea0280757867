import { JsonObject, NetworkPeer, SnapshotPolicy } from '../../model';
import { EngineContext, WorkloadInfo } from '../core/context';
import { AddressSet } from '../core/match';
import { isObject } from '../validate/check';
import { linkerdRefTarget } from '../validate/linkerd';

/*
 * Network peers (docs/engine.md, "Network peers"): the address ranges a target's authorization
 * admits clients from, whatever their identity — Istio AuthorizationPolicy ALLOW sources with
 * `ipBlocks`/`notIpBlocks` or `remoteIpBlocks`/`notRemoteIpBlocks`, Linkerd NetworkAuthentications
 * referenced by an AuthorizationPolicy and ServerAuthorization `client.networks`. These are only
 * candidates: each is asked like any other client (a plaintext client outside the mesh whose
 * address is any of the range), so every layer — mTLS mode, DENY rules, other required
 * authentications, NetworkPolicies — still decides.
 */

type P = SnapshotPolicy<JsonObject>;

/** Every address of both families, for a source that only excludes (`notIpBlocks`). */
const EVERYWHERE = ['0.0.0.0/0', '::/0'];

/** Bounds what one target contributes (inputs are bounded; the graph stays small). */
const MAX_CANDIDATES = 32;

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0
    ? v.filter((x): x is string => typeof x === 'string')
    : undefined;

export interface NetworkCandidate {
  peer: NetworkPeer;
  range: AddressSet & { remote?: boolean };
}

function candidate(
  cidrs: string[],
  except: string[] | undefined,
  remote: boolean,
): NetworkCandidate {
  const peer: NetworkPeer = {
    kind: 'network',
    cidrs,
    ...(except && except.length > 0 ? { except } : {}),
    ...(remote ? { address: 'remote' as const } : {}),
  };
  return {
    peer,
    range: { cidrs, ...(peer.except ? { except } : {}), remote },
  };
}

/** The ranges of an Istio ALLOW source (one per address kind it names). */
function istioSource(source: JsonObject): NetworkCandidate[] {
  const out: NetworkCandidate[] = [];
  const pairs: Array<[unknown, unknown, boolean]> = [
    [source.ipBlocks, source.notIpBlocks, false],
    [source.remoteIpBlocks, source.notRemoteIpBlocks, true],
  ];
  for (const [values, nots, remote] of pairs) {
    const cidrs = strings(values);
    const except = strings(nots);
    if (cidrs) out.push(candidate(cidrs, except, remote));
    else if (except) out.push(candidate(EVERYWHERE, except, remote));
  }
  return out;
}

function istioCandidates(policies: P[]): NetworkCandidate[] {
  const out: NetworkCandidate[] = [];
  for (const p of policies) {
    if ((p.spec.action ?? 'ALLOW') !== 'ALLOW') continue;
    const rules = Array.isArray(p.spec.rules) ? p.spec.rules : [];
    for (const rule of rules) {
      if (!isObject(rule) || !Array.isArray(rule.from)) continue;
      for (const from of rule.from) {
        if (isObject(from) && isObject(from.source))
          out.push(...istioSource(from.source as JsonObject));
      }
    }
  }
  return out;
}

/**
 * Linkerd networks (`cidr` with `except`): one range when no network excludes anything or there
 * is one network (the range is then exactly the networks), else one range per network.
 */
function linkerdNetworks(networks: unknown): NetworkCandidate[] {
  const entries = (Array.isArray(networks) ? networks.filter(isObject) : [])
    .filter(n => typeof n.cidr === 'string')
    .map(n => ({ cidr: n.cidr as string, except: strings(n.except) ?? [] }));
  if (entries.length === 0) return [];
  if (entries.length === 1 || entries.every(e => e.except.length === 0))
    return [
      candidate(
        entries.map(e => e.cidr),
        entries.flatMap(e => e.except),
        false,
      ),
    ];
  return entries.map(e => candidate([e.cidr], e.except, false));
}

function linkerdCandidates(
  ctx: EngineContext,
  target: WorkloadInfo,
  port: number,
): NetworkCandidate[] {
  const out: NetworkCandidate[] = [];
  for (const server of ctx.linkerd.serversFor(target.w, port)) {
    for (const authz of ctx.linkerd.authorizationsOf(server)) {
      const policy = authz.policy;
      if (policy.kind === 'ServerAuthorization') {
        const client = isObject(policy.spec.client) ? policy.spec.client : {};
        out.push(...linkerdNetworks(client.networks));
        continue;
      }
      const refs = Array.isArray(policy.spec.requiredAuthenticationRefs)
        ? policy.spec.requiredAuthenticationRefs.filter(isObject)
        : [];
      for (const r of refs) {
        if (
          linkerdRefTarget(r) !== 'NetworkAuthentication' ||
          typeof r.name !== 'string'
        )
          continue;
        const ns =
          typeof r.namespace === 'string' && r.namespace
            ? r.namespace
            : policy.namespace;
        const auth = ctx.linkerd.lookup('NetworkAuthentication', ns, r.name);
        if (auth) out.push(...linkerdNetworks(auth.spec.networks));
      }
    }
  }
  return out;
}

/**
 * The network peers a target's authorization names on a port, each once; none for a target
 * without a mesh proxy (nothing there reads addresses but NetworkPolicies, whose `ipBlock`
 * peers are not callers of their own).
 */
export function networkCandidates(
  ctx: EngineContext,
  target: WorkloadInfo,
  port: number,
  istioPolicies: P[],
): NetworkCandidate[] {
  const mesh = target.membership.mesh;
  let found: NetworkCandidate[] = [];
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient')
    found = istioCandidates(istioPolicies);
  else if (mesh === 'linkerd') found = linkerdCandidates(ctx, target, port);
  const seen = new Set<string>();
  const out: NetworkCandidate[] = [];
  for (const c of found) {
    const key = JSON.stringify(c.peer);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
    if (out.length >= MAX_CANDIDATES) break;
  }
  return out;
}
