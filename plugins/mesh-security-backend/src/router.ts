import express from 'express';
import Router from 'express-promise-router';
import { HttpAuthService } from '@backstage/backend-plugin-api';

/** What the router needs from the rest of the plugin. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
}

/**
 * The plugin's REST routes. Authentication is Backstage's default: every route requires user or
 * service credentials (the plugin never registers an unauthenticated auth policy).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok', clusters: [] });
  });

  return router;
}
