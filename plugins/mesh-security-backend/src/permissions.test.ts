/*
 * docs/backend.md "Permissions": nobody sees the posture of an entity they may not read, through
 * any route. The plugin runs in a test backend over the demo cluster, with a permission policy
 * that denies per permission and per entity ref.
 */
import request from 'supertest';
import { asUser, startDemoBackend } from './__testUtils__/demoBackend';
import { AuthorizeCall } from './__testUtils__/permissions';

const PAYMENTS = 'component:default/payments-api';

describe('GET /overview', () => {
  jest.setTimeout(30_000);

  it('leaves out the components whose mesh-security.entity.read is denied, from the items and every count', async () => {
    const everything = await asUser(
      request(await startDemoBackend()).get(
        '/api/mesh-security/overview?limit=100',
      ),
    );
    const hidden = everything.body.items.find(
      (i: any) => i.entityRef === PAYMENTS,
    );
    expect(hidden).toBeDefined();

    const calls: AuthorizeCall[] = [];
    const server = await startDemoBackend({
      deny: [
        { permission: 'mesh-security.entity.read', resourceRef: PAYMENTS },
      ],
      calls,
    });
    const all = await asUser(
      request(server).get('/api/mesh-security/overview?limit=100'),
    );
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual(
      everything.body.items.filter((i: any) => i !== hidden),
    );
    expect(all.body.totalItems).toBe(everything.body.totalItems - 1);
    const byMode = { ...everything.body.distribution.byMode };
    byMode[hidden.mtls]--;
    expect(all.body.distribution.byMode).toEqual(byMode);
    const owner = (body: any) =>
      body.distribution.byOwner.find((o: any) => o.owner === hidden.owner)
        ?.byMode[hidden.mtls] ?? 0;
    expect(owner(all.body)).toBe(owner(everything.body) - 1);

    // Searching for it finds nothing either.
    const searched = await asUser(
      request(server).get('/api/mesh-security/overview?search=payments-api'),
    );
    expect(searched.body).toMatchObject({ items: [], totalItems: 0 });

    // One call decided every listed entity, with the caller's credentials.
    const batch = calls.filter(c =>
      c.requests.some(r => r.permission.name === 'mesh-security.entity.read'),
    );
    expect(batch).toHaveLength(2);
    expect(batch[0].credentials.principal).toMatchObject({ type: 'user' });
    expect(batch[0].requests).toHaveLength(10);
    expect(
      batch[0].requests.every(
        r => r.permission.name === 'mesh-security.entity.read',
      ),
    ).toBe(true);
    expect(batch[0].requests.map(r => (r as any).resourceRef)).toContain(
      PAYMENTS,
    );
  });
});
