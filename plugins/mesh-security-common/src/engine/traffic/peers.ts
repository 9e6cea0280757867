import {
  Peer,
  PeerExclusion,
  SnapshotWorkload,
  SummaryPeer,
  isWorkloadPeer,
} from '../../model';
import { Family } from '../accessGraph/groups';

/*
 * Whether an access-graph peer stands for a workload (docs/engine.md, "Summary peers"): a
 * summary is relative to the workload whose list it is in (`self`), which is never its own peer.
 */

export function peerCovers(
  familyOf: (w: SnapshotWorkload) => Family,
  peer: Peer,
  self: SnapshotWorkload,
  other: SnapshotWorkload,
): boolean {
  if (other === self) return false;
  if (isWorkloadPeer(peer))
    return (
      peer.namespace === other.namespace &&
      peer.name === other.name &&
      peer.kind === other.kind
    );
  // Clients admitted by address, and ExternalWorkloads, are not workloads of the snapshot.
  if (
    peer.kind === 'external-plaintext' ||
    peer.kind === 'network' ||
    peer.kind === 'external-workload'
  )
    return false;
  const summary = peer as SummaryPeer;
  switch (summary.kind) {
    case 'any-workload':
      return !excluded(summary.except, other);
    case 'any-meshed':
      return (
        familyOf(other) === summary.mesh && !excluded(summary.except, other)
      );
    case 'outside-mesh':
      return (
        familyOf(other) !== summary.mesh && !excluded(summary.except, other)
      );
    default:
      return other.namespace === summary.namespace;
  }
}

function excluded(
  except: PeerExclusion[] | undefined,
  w: SnapshotWorkload,
): boolean {
  return (except ?? []).some(
    e =>
      e.namespace === w.namespace &&
      (e.name === undefined ||
        (e.name === w.name && (e.kind === undefined || e.kind === w.kind))),
  );
}

/**
 * Which edge a source no workload of the snapshot matches falls under: plaintext from an
 * unknown source under the external plaintext client, else under the workloads outside the
 * mesh (a client without a proxy is reported as unknown); an identity no workload carries under
 * none.
 */
export function unknownSourceEdge(peer: Peer): number {
  if (peer.kind === 'external-plaintext') return 0;
  if (peer.kind === 'outside-mesh') return 1;
  return -1;
}

/** Precedence when several edges stand for one source: the most specific first. */
export function peerPrecedence(peer: Peer): number {
  switch (peer.kind) {
    case 'external-plaintext':
      return 5;
    case 'network':
      return 4;
    case 'any-workload':
      return 4;
    case 'any-meshed':
    case 'outside-mesh':
      return 3;
    case 'namespace':
      return 2;
    default:
      return 1;
  }
}
