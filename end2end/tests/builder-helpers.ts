// Helpers shared by the builder specs: wait for hydration, sign up a fresh organisation.
import { expect, type Page } from '@playwright/test';
import { uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

/** Waits until the WASM app has hydrated the server-rendered page. On the builder it also waits
 * for the editor, which the page fetches right after it has hydrated (until then the canvas is
 * the server's drawing and blocks added from the palette wait: app/src/ui/builder/editor_ui.rs). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.builder[data-editor="loading"]')).toHaveCount(0);
}

/** Signs up a new organisation, confirms its email address by following the link in the
 * delivered verification email (publishing needs it), and returns its subdomain (the slug of its
 * name). The page ends on the dashboard. `verify: false` leaves the address unverified. */
export async function signUp(page: Page, prefix: string, opts: { verify?: boolean; email?: string } = {}): Promise<string> {
  const tag = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
  const org = `${prefix} ${tag}`;
  const email = opts.email ?? uniqueEmail(prefix.toLowerCase());
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Your name').fill('Pat Owner');
  await page.getByLabel('Organisation name').fill(org);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct-horse-7');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  if (opts.verify ?? true) {
    const mail = await waitForMail(email, /Confirm your email address/);
    await page.goto(linkIn(mail, '/verify-email/'));
    await expect(page.getByRole('heading', { name: 'Your email address is verified' })).toBeVisible();
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
    await hydrated(page);
  }
  return `${prefix.toLowerCase()}-${tag}`;
}

/** From the dashboard, opens the Home page in the builder and waits for it to hydrate. */
export async function openHomeInBuilder(page: Page) {
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await expect(page.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(page);
}

/** From anywhere: publishes the website's home page in the builder, then back on the dashboard. */
export async function publishHome(page: Page) {
  await page.goto('/dashboard');
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await hydrated(page);
}

/** From the dashboard: opens the (only) website's settings page. */
export async function openWebsiteSettings(page: Page) {
  await page.getByRole('link', { name: /^Settings of / }).click();
  await expect(page.getByRole('heading', { name: 'Website settings', level: 1 })).toBeVisible();
  await hydrated(page);
}
