// Headless Chromium for the dashboard tests: Debian's `chromium` driven by npm's playwright-core
// (no browser download). Every launch gets a fresh profile directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

// Flags that keep Chromium offline and quiet: no first-run UI, no background fetches (component
// updates, sync, QUIC probing), no GPU, no sandbox (tests may run as root).
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Starts Chromium with a fresh profile directory. `options` go to Playwright's context (e.g.
// httpCredentials, viewport). Returns { context, page, close() }; close() removes the profile.
export async function launchChromium(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} does not exist: install Debian's chromium (scripts/deps) or set CHROMIUM_BIN`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
    ...options,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
