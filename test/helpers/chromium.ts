// Test helper: the system's Chromium, headless, driven through playwright-core, for the tests of one describe block.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Launches Chromium before the tests of the describe block it is called in and closes it after them. */
export function useHeadlessChromium(): { readonly browser: Browser } {
  const session = {} as { browser: Browser };
  beforeAll(async () => {
    session.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await session.browser?.close();
  });
  return session;
}
