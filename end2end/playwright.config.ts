import { defineConfig, type LaunchOptions } from '@playwright/test';

// scripts/test.sh starts the server on a free port and passes its address here.
const baseURL = process.env.SITEPILOT_BASE_URL;
if (!baseURL) {
  throw new Error(
    'SITEPILOT_BASE_URL is not set. Run the suite through scripts/test.sh, or start the server and set ' +
      'SITEPILOT_BASE_URL=http://127.0.0.1:<port> and SITEPILOT_PORT=<port> yourself.',
  );
}

// Debian's chromium (apt-get install chromium); `npx playwright install` cannot download browsers here.
// The background-networking flags keep Chromium from calling out to Google's services, which this
// machine's closed network would refuse, many times a run.
const launchOptions: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
};

// Specs for pages that must work without JavaScript (visitor sites, plain HTML forms).
const noJsSpecs = /.*\.nojs\.spec\.ts$/;

export default defineConfig({
  testDir: 'tests',
  // One server and one database for the run: keep tests sequential and deterministic.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: noJsSpecs,
      use: { browserName: 'chromium', launchOptions },
    },
    {
      name: 'no-js',
      testMatch: noJsSpecs,
      use: { browserName: 'chromium', javaScriptEnabled: false, launchOptions },
    },
  ],
});
