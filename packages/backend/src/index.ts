/*
 * The Backstage backend that runs Mesh Security locally and in the e2e suite.
 *
 * New backend system: every feature is a plugin or module added here; configuration comes from
 * app-config.yaml (plus any overlay passed with --config).
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Serves the built frontend (packages/app) from the backend in production-like runs.
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in. The guest provider is for local use only; see README "Authentication" for real ones.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Software catalog, reading catalog/ (entities, templates) as configured in app-config.yaml.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// Permissions. Local use allows everything; README "Permissions" shows how to plug a real policy.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

// Scaffolder with the GitHub actions and our access-change actions.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@mesh-security/plugin-scaffolder-backend-module-mesh-security'),
);

// The Kubernetes plugin's backend (workloads on the entity page) and ours (mesh posture).
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@mesh-security/plugin-mesh-security-backend'));

// Tech Insights with the JSON rules engine checks (configured under techInsights in
// app-config.yaml) and Mesh Security's facts about each component.
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(
  import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'),
);
backend.add(
  import('@mesh-security/plugin-tech-insights-backend-module-mesh-security'),
);

// Notifications (Mesh Security notifies owners of posture regressions) and signals, which push
// new notifications to the open app. Signals travel on the events bus of the events backend: on
// PostgreSQL it reaches every replica (a user connected to one sees what another sends); on
// SQLite it stays in the process. Without it, signals log a warning at start (no events bus).
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-events-backend'));

backend.start();
