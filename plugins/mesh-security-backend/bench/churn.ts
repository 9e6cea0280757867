/*
 * The churn of `bench:watch`, applied to one mock cluster (bench/mockKubernetes.ts) in the mock
 * clusters' process: pods replaced in the background at a steady rate, and single changes the
 * load generator asks for and then watches for in the backend's answers (a PeerAuthentication's
 * mode flipped, a namespace label flipped, one pod deleted or added).
 */
import type { Obj } from './estate';
import type { MockCluster } from './mockKubernetes';

/** One change asked for by the load generator. */
export type Change =
  /** Flip the namespace's PeerAuthentication `default` STRICT ↔ PERMISSIVE. */
  | { type: 'policy'; namespace: string }
  /** Flip the namespace's label `bench/allowed` (`true` ↔ absent). */
  | { type: 'label'; namespace: string }
  /** Delete one pod of the workload (a Deployment's name). */
  | { type: 'podDelete'; workload: string }
  /** Add one pod to the workload, a copy of one of its pods under a new name. */
  | { type: 'podAdd'; workload: string };

export interface Applied {
  /** Date.now() once the change's events were written to every matching watch. */
  at: number;
  /** `policy`: the mode now. */
  mode?: string;
  /** `label`: whether the label is set now. */
  allowed?: boolean;
  /** `pod…`: the workload's pods now. */
  pods?: number;
}

export class Churn {
  private timer?: NodeJS.Timeout;
  private serial = 0;
  /** Pods replaced in the background since the start. */
  replaced = 0;

  constructor(private readonly cluster: MockCluster) {}

  /**
   * Replaces `perMinute` pods a minute, evenly spaced, each a random pod whose entity
   * (`backstage.io/kubernetes-id` `svc-<n>`) `skip` does not reserve: the pod is deleted and a
   * copy of it added under a new name at once (two events; a real replacement has a few more
   * status updates in between).
   */
  startPods(perMinute: number, skip: (entity: number) => boolean): void {
    this.stop();
    if (perMinute <= 0) return;
    this.timer = setInterval(() => {
      const pods = this.cluster.objects('pods');
      for (let attempt = 0; attempt < 20; attempt++) {
        const pod = pods[Math.floor(Math.random() * pods.length)];
        const entity = Number(
          pod.metadata.labels?.['backstage.io/kubernetes-id']?.slice(4),
        );
        if (skip(entity)) continue;
        this.cluster.remove('pods', pod.metadata.namespace, pod.metadata.name);
        this.cluster.put('pods', this.renamed(pod));
        this.replaced++;
        return;
      }
    }, 60_000 / perMinute);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  apply(change: Change): Applied {
    switch (change.type) {
      case 'policy': {
        const policy = this.cluster
          .objects('peerauthentications')
          .find(
            o =>
              o.metadata.namespace === change.namespace &&
              o.metadata.name === 'default',
          );
        if (!policy)
          throw new Error(`no PeerAuthentication in ${change.namespace}`);
        const spec = policy.spec as { mtls: { mode: string } };
        const mode = spec.mtls.mode === 'STRICT' ? 'PERMISSIVE' : 'STRICT';
        this.cluster.put('peerauthentications', {
          ...policy,
          spec: { ...spec, mtls: { mode } },
        });
        return { at: Date.now(), mode };
      }
      case 'label': {
        const namespace = this.cluster
          .objects('namespaces')
          .find(o => o.metadata.name === change.namespace);
        if (!namespace) throw new Error(`no namespace ${change.namespace}`);
        const labels = { ...namespace.metadata.labels };
        const allowed = labels['bench/allowed'] !== 'true';
        if (allowed) labels['bench/allowed'] = 'true';
        else delete labels['bench/allowed'];
        this.cluster.put('namespaces', {
          ...namespace,
          metadata: { ...namespace.metadata, labels },
        });
        return { at: Date.now(), allowed };
      }
      case 'podDelete':
      case 'podAdd': {
        const pods = this.podsOf(change.workload);
        if (pods.length === 0)
          throw new Error(`workload ${change.workload} has no pod left`);
        if (change.type === 'podDelete')
          this.cluster.remove(
            'pods',
            pods[0].metadata.namespace,
            pods[0].metadata.name,
          );
        else this.cluster.put('pods', this.renamed(pods[0]));
        return {
          at: Date.now(),
          pods: pods.length + (change.type === 'podDelete' ? -1 : 1),
        };
      }
      default:
        throw new Error(`unknown change ${JSON.stringify(change)}`);
    }
  }

  private podsOf(workload: string): Obj[] {
    return this.cluster
      .objects('pods')
      .filter(p => p.metadata.labels?.app === workload);
  }

  /** The pod under a new name (`<workload>-5d9f-c<n>`), as its ReplicaSet would create it. */
  private renamed(pod: Obj): Obj {
    const app = pod.metadata.labels?.app ?? 'pod';
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        name: `${app}-5d9f-c${(++this.serial).toString(36)}`,
      },
    };
  }
}
