// A real browser for the pages: Debian's chromium driven by playwright-core (no browser download).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why a browser test cannot run here, or false; under CI it always runs (.ci/run installs chromium). */
export function skipWithoutChromium(): string | false {
  if (process.env.CI || fs.existsSync(CHROMIUM)) return false;
  return `needs Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
