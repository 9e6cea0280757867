import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  ISTIO_REVISION_CONFIG_MAPS,
  LISTED_KINDS,
  NAMED_CONFIG_MAPS,
} from './kinds';

/** The shipped RBAC must grant exactly what the source reads: no more, no less. */
describe('deploy/rbac.yaml', () => {
  const docs = parseAllDocuments(
    fs.readFileSync(path.resolve(__dirname, '../../deploy/rbac.yaml'), 'utf8'),
  ).map(d => d.toJS());
  const rules = docs
    .filter(d => d.kind === 'ClusterRole' || d.kind === 'Role')
    .flatMap(d =>
      d.rules.map((r: any) => ({ ...r, namespace: d.metadata.namespace })),
    );

  it('grants list/watch on every listed kind and nothing cluster-wide beyond them', () => {
    const granted = new Set<string>();
    for (const rule of rules.filter((r: any) => !r.namespace)) {
      expect(rule.verbs.sort()).toEqual(['list', 'watch']);
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources)
          granted.add(group ? `${group}/${resource}` : resource);
      }
    }
    expect([...granted].sort()).toEqual(LISTED_KINDS.map(k => k.key).sort());
  });

  it("grants get/list/watch on the named ConfigMaps, list/watch on istio-system's, and nothing on Secrets", () => {
    const named = rules
      .filter((r: any) => r.namespace && r.resourceNames)
      .flatMap((r: any) => {
        // list/watch by name: the watcher's field selector metadata.name=<name>.
        expect(r.verbs).toEqual(['get', 'list', 'watch']);
        expect(r.resources).toEqual(['configmaps']);
        return r.resourceNames.map((n: string) => `${r.namespace}/${n}`);
      });
    expect(named.sort()).toEqual(
      NAMED_CONFIG_MAPS.map(c => `${c.namespace}/${c.name}`).sort(),
    );
    // Namespaced lists: the revisioned Istio mesh ConfigMaps, in istio-system only.
    const listed = rules.filter((r: any) => r.namespace && !r.resourceNames);
    expect(listed).toEqual([
      {
        apiGroups: [''],
        resources: [ISTIO_REVISION_CONFIG_MAPS.plural],
        verbs: ['list', 'watch'],
        namespace: ISTIO_REVISION_CONFIG_MAPS.namespace,
      },
    ]);
    const resources = rules.flatMap((r: any) => r.resources);
    expect(resources).not.toContain('secrets');
    expect(resources).not.toContain('*');
    expect(rules.flatMap((r: any) => r.verbs)).not.toContain('*');
  });
});
