// Headless Chromium for end-to-end tests of the live page: Debian's `chromium` (installed by
// scripts/setup.d/40-chromium.sh) driven by playwright-core, which downloads no browser of its own.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.PEERWEAVE_CHROMIUM ?? '/usr/bin/chromium';

/** Git-ignored folder for screenshots and the like, kept after the run for a look. */
export const ARTIFACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-artifacts');

/** Flags verified on these machines (ENVIRONMENT.md): no sandbox as root, nothing phoning home. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** Closes Chromium and removes its profile. */
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'pw-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 1100 },
      timeout: 60_000,
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => {});
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}

/** What a page reported that a test wants to see empty. */
export interface PageProblems {
  /** `securitypolicyviolation` events, and console messages about the Content-Security-Policy. */
  readonly csp: string[];
  /** Uncaught exceptions and rejections in the page. */
  readonly errors: string[];
}

/** A new page that records CSP violations and uncaught errors from its first script on. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { csp: [], errors: [] };
  // Runs before the page's own scripts, outside its CSP (injected by the driver, not the page).
  // A string, not a function: the tests are type-checked without the DOM library.
  await page.addInitScript({
    content: `window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
      });`,
  });
  page.on('console', (m) => {
    if (/content security policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on('pageerror', (err) => problems.errors.push(err.message));
  return { page, problems };
}

/** The violations the page itself saw (see watchedPage), besides what the console said. */
export async function cspViolations(page: Page): Promise<string[]> {
  return inPage<string[]>(page, 'window.__cspViolations ?? []');
}

/** Evaluates an expression in the page (a string: the tests have no DOM types) and returns its JSON value. */
export async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
