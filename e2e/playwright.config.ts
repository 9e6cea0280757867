import { defineConfig } from '@playwright/test';
import path from 'node:path';

/*
 * End-to-end tests against the real app: Playwright starts the backend (which also serves the
 * frontend built by .ci/test-e2e.sh) with the e2e config overlay, waits for readiness, runs the
 * tests in Debian's headless Chromium and stops the backend. No browser is ever downloaded.
 */
const repoRoot = path.resolve(__dirname, '..');
const port = 7007;
/**
 * The demo cluster as the e2e backend reads it (app-config.e2e.yaml): a fresh copy of
 * catalog/demo-cluster under the git-ignored test-results, which tests may edit.
 */
const demoCluster = path.join(__dirname, 'test-results', 'demo-cluster');
const copyDemoCluster = `node -e ${JSON.stringify(
  [
    "const fs = require('fs');",
    `fs.rmSync(${JSON.stringify(
      demoCluster,
    )}, { recursive: true, force: true });`,
    `fs.cpSync(${JSON.stringify(
      path.join(repoRoot, 'catalog', 'demo-cluster'),
    )}, ${JSON.stringify(demoCluster)}, { recursive: true });`,
  ].join(' '),
)}`;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/artifacts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [
    ['list'],
    [
      'json',
      {
        outputFile:
          process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ??
          path.join(__dirname, 'test-results', 'e2e.json'),
      },
    ],
  ],
  webServer: {
    command: [
      copyDemoCluster,
      '&& npx backstage-cli package start',
      `--config ${path.join(repoRoot, 'app-config.yaml')}`,
      `--config ${path.join(__dirname, 'app-config.e2e.yaml')}`,
      // The backend's log goes to a file next to the test results, read it when a test fails.
      `> ${path.join(__dirname, 'test-results', 'backend.log')} 2>&1`,
    ].join(' '),
    cwd: path.join(repoRoot, 'packages', 'backend'),
    url: `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL: `http://localhost:${port}`,
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // As root Chromium needs --no-sandbox; background networking is off because the
      // machine's network is closed and Chromium would otherwise retry Google hosts.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
});
