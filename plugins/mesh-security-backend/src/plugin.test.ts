import { mockCredentials, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import meshSecurityPlugin from './index';

describe('mesh-security backend plugin', () => {
  it('answers /health to an authenticated caller', async () => {
    const { server } = await startTestBackend({ features: [meshSecurityPlugin] });
    const res = await request(server)
      .get('/api/mesh-security/health')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', clusters: [] });
  });

  it('refuses callers without credentials', async () => {
    const { server } = await startTestBackend({ features: [meshSecurityPlugin] });
    const res = await request(server)
      .get('/api/mesh-security/health')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});
