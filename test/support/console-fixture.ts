import type { Browser } from 'playwright-core';
import type { MinionClient } from '../client/portal-flow';
import type { BuiltApp } from './built-app';
import { seed, type Seeded, startConsoleApp, writeClient } from './console-app';
import { launchChromium, openConsole, type Watched } from './console-browser';

export interface ConsoleFixture {
  app: BuiltApp;
  /** The typed client with the full token: how a spec seeds and checks. */
  api: MinionClient;
  browser: Browser;
  seeded: Seeded;
  /** A new watched tab on the console (closed, and its problems checked, after the test). */
  open(viewport?: { width: number; height: number }): Promise<Watched>;
}

/**
 * The browser specs' setup: the built app seeded as an operator's account, one Chromium for the
 * suite, and after each test the tabs it opened closed, none of them having sent a request
 * elsewhere, met a CSP refusal or a script error.
 */
export function consoleFixture(): ConsoleFixture {
  const tabs: Watched[] = [];
  const f = {
    open: async (viewport?: { width: number; height: number }) => {
      const tab = await openConsole(f.browser, f.app.url, viewport);
      tabs.push(tab);
      return tab;
    },
  } as ConsoleFixture;

  beforeAll(async () => {
    f.app = await startConsoleApp();
    f.api = writeClient(f.app);
    f.seeded = await seed(f.api);
    f.browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await f.browser?.close();
    await f.app?.stop();
  });

  afterEach(async () => {
    for (const tab of tabs.splice(0)) {
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    }
  });
  return f;
}
