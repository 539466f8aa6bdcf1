import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * The Chromium the global setup found or provisioned (scripts/ensure-chromium.js:
 * CHROMIUM_PATH, the system's, the @sparticuz/chromium build, or Debian's installed).
 */
export const CHROMIUM_PATH =
  process.env.CELLO_TEST_CHROMIUM_PATH ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests save their screenshots (git-ignored). */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts');

// Without the background-networking flags Chromium keeps dialling out, which this
// machine's closed network refuses many times over.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export async function launchBrowser(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  // Why the global setup found none: say so rather than Playwright's missing-file error.
  const missing = process.env.CELLO_TEST_CHROMIUM_ERROR;
  if (missing && !process.env.CELLO_TEST_CHROMIUM_PATH) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'cello-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Path of a screenshot artifact, creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
