import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A small estate on disk: a nested YAML (with `kind: List`), a JSON file and a non-manifest. */
const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio-injection: enabled } }
---
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: shop }
    spec:
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          serviceAccountName: web
          containers: [{ name: app, image: web:1, ports: [{ containerPort: 8080 }] }]
  - apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: { name: default, namespace: shop }
    spec: { mtls: { mode: STRICT } }
`;

export function writeEstate(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-cli-'));
  fs.mkdirSync(path.join(dir, 'nested'));
  fs.writeFileSync(path.join(dir, 'nested', 'shop.yaml'), MANIFESTS);
  fs.writeFileSync(
    path.join(dir, 'legacy.json'),
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'old', namespace: 'legacy' },
      spec: {
        template: {
          metadata: { labels: { app: 'old' } },
          spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
        },
      },
    }),
  );
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
  return dir;
}
