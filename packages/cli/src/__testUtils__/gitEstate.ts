import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * A GitOps repository with a history, made in a temporary directory: each commit is one kind of
 * change a reviewer must see (docs/cli.md "`diff`"), tagged c1 … c5.
 */

const WORKLOADS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      containers:
        - name: app
          image: api:1
          ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers: [{name: app, image: web:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: shop
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      serviceAccountName: worker
      containers: [{name: app, image: worker:1}]
`;

const peerAuthentication = (mode: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: ${mode}
`;

const authorizationPolicy = (rules: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  action: ALLOW
  rules:
${rules}`;

const WEB_RULE = `    - from:
        - source:
            principals: [cluster.local/ns/shop/sa/web]
      to:
        - operation:
            methods: [GET]
`;
const WORKER_RULE = `    - from:
        - source:
            principals: [cluster.local/ns/shop/sa/worker]
      to:
        - operation:
            methods: [GET]
            paths: [/status]
`;
const NAMESPACE_RULE = `    - from:
        - source:
            namespaces: [shop]
      to:
        - operation:
            methods: [GET]
`;

const NETWORK_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-from-web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: api}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: web}
`;

/** The commits, in order: message and the files they write. */
const HISTORY: Array<[string, Record<string, string>]> = [
  [
    'c1: api allows web GET, STRICT',
    {
      'deploy/workloads.yaml': WORKLOADS,
      'deploy/policies.yaml': `${peerAuthentication(
        'STRICT',
      )}---\n${authorizationPolicy(WEB_RULE)}`,
    },
  ],
  [
    'c2: a rule added for worker',
    {
      'deploy/policies.yaml': `${peerAuthentication(
        'STRICT',
      )}---\n${authorizationPolicy(WEB_RULE + WORKER_RULE)}`,
    },
  ],
  [
    'c3: the web principal widened to the namespace',
    {
      'deploy/policies.yaml': `${peerAuthentication(
        'STRICT',
      )}---\n${authorizationPolicy(NAMESPACE_RULE + WORKER_RULE)}`,
    },
  ],
  [
    'c4: STRICT relaxed to PERMISSIVE',
    {
      'deploy/policies.yaml': `${peerAuthentication(
        'PERMISSIVE',
      )}---\n${authorizationPolicy(NAMESPACE_RULE + WORKER_RULE)}`,
    },
  ],
  [
    'c5: a NetworkPolicy added',
    { 'deploy/networkPolicy.yaml': NETWORK_POLICY },
  ],
];

/** Makes the repository; returns its directory (remove it with `fs.rmSync`). */
export function writeGitEstate(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-diff-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'pipe',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    });
  git('init', '-q', '-b', 'main');
  HISTORY.forEach(([message, files], i) => {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', message);
    git('tag', `c${i + 1}`);
  });
  return dir;
}
