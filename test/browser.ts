/**
 * What every browser test shares: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), signing in through the real form, axe's WCAG 2.1 A/AA check, and the
 * screenshots a reviewer reads in docs/screenshots/ without running anything.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { isCI, type TestUser } from './helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
export const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

export const hasChromium = existsSync(CHROMIUM);
if (isCI && !hasChromium) throw new Error(`${CHROMIUM} is missing: CI installs the chromium package (.ci/run)`);
/** The describe title's suffix: says why the suite skipped, outside CI. */
export const chromiumNote = hasChromium ? '' : ' (skipped: no /usr/bin/chromium; apt-get install -y chromium)';

/** A browser test drives many pages and runs axe on each: on a busy machine that can take a while. */
export const BROWSER_TEST_TIMEOUT_MS = 120_000;

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Signs in through the sign-in form, from a page that sends the browser there. */
export async function signIn(p: Page, base: string, user: TestUser, from = '/'): Promise<void> {
  await p.goto(from);
  await expect.poll(() => p.url()).toMatch(new RegExp(`^${base}/sign-in`));
  await p.getByLabel('Email').fill(user.email);
  await p.getByLabel('Password').fill(user.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${base}${from}`);
}

/** The client has taken over the server's HTML (the theme switch exists only then). */
export async function hydrated(p: Page): Promise<void> {
  await p.getByLabel('Theme').waitFor({ state: 'visible' });
}

/** Zero WCAG 2.1 A/AA violations on the page as it is now, then its screenshot. */
export async function expectAccessible(p: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(violations.map((v) => `${name}: ${v.id}: ${v.nodes.map((n: { target: unknown[] }) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Collects what the page reports as broken: script errors, console errors (CSP refusals). */
export function pageErrors(p: Page): string[] {
  const errors: string[] = [];
  p.on('pageerror', (error) => errors.push(error.message));
  p.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}
