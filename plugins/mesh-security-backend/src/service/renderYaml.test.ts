import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { JsonValue } from '@backstage/types';
import { renderYaml } from './renderYaml';

const repoRoot = path.resolve(__dirname, '../../../..');
/** Upstream CRDs and Istio fixtures (provenance in the README beside them). */
const crds = path.join(repoRoot, 'plugins/mesh-security-common/testdata/crds');

function documents(file: string): JsonValue[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS() as JsonValue)
    .filter(d => d !== null && d !== undefined);
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    if (e.isDirectory()) return yamlFiles(path.join(dir, e.name));
    return /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : [];
  });
}

describe('renderYaml', () => {
  it('writes Kubernetes objects the way yaml.stringify does', () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: {
        name: 'payments-allow',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/part-of': 'shop' },
      },
      spec: {
        selector: { matchLabels: { app: 'payments-api' } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              {
                source: {
                  principals: ['cluster.local/ns/checkout/sa/checkout'],
                },
              },
            ],
            to: [
              {
                operation: {
                  methods: ['POST'],
                  paths: ['/charge', '/refunds/*'],
                  ports: ['8080'],
                },
              },
            ],
          },
        ],
      },
    };
    expect(renderYaml(policy)).toBe(stringify(policy));
    const linkerd = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'api', namespace: 'analytics' },
      spec: {
        podSelector: { matchLabels: {} },
        port: 8080,
        proxyProtocol: 'HTTP/1',
        accessPolicy: 'deny',
        empty: [],
        ok: true,
        none: null,
      },
    };
    expect(renderYaml(linkerd)).toBe(stringify(linkerd));
  });

  it('quotes every string a YAML reader would take for something else', () => {
    const tricky = [
      '',
      'true',
      'no',
      'On',
      'null',
      '~',
      '8080',
      '1e3',
      '0x1F',
      '.5',
      '12:30',
      '2026-11-23',
      '*',
      '- x',
      'a: b',
      '#x',
      'x #y',
      '&a',
      '!tag',
      '%x',
      '@x',
      '`x',
      '{a}',
      '[a]',
      ' lead',
      'trail ',
      'line\nbreak',
      'tab\t',
      '"q"',
      "'s'",
      'é',
      'a,b',
      '?',
      '|',
      '>',
      'ns/*',
      'a:',
      'spiffe://cluster.local/ns/a/sa/b',
      '1:2',
    ];
    for (const s of tricky) {
      expect(parse(renderYaml({ key: s, list: [s] }))).toEqual({
        key: s,
        list: [s],
      });
      expect(parse(renderYaml({ [s]: 1 }))).toEqual({ [s]: 1 });
    }
    expect(
      renderYaml({
        a: 'payments-api',
        b: 'cluster.local/ns/x/sa/y',
        c: 'true',
        d: '8080',
      }),
    ).toBe(
      'a: payments-api\nb: cluster.local/ns/x/sa/y\nc: "true"\nd: "8080"\n',
    );
  });

  it('round-trips every document of the CRD schemas, the Istio fixtures and the demo estate', () => {
    const files = [
      ...yamlFiles(crds),
      ...yamlFiles(path.join(repoRoot, 'catalog')),
    ];
    let count = 0;
    for (const file of files) {
      for (const doc of documents(file)) {
        expect(parse(renderYaml(doc))).toEqual(doc);
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });

  it('round-trips nested and empty collections and odd numbers', () => {
    const values: JsonValue[] = [
      [],
      {},
      [[1, [2, []]], [{}], [{ a: [] }]],
      { a: [[{ b: 1, c: [{ d: {} }] }]], e: -0.5, f: 1e21, g: 123456789012 },
      'plain',
      42,
      null,
      [{ a: 1, b: { c: [1, 2] } }, 'x', [3]],
    ];
    for (const v of values) expect(parse(renderYaml(v))).toEqual(v);
  });
});
