// Helpers shared by the builder specs: wait for hydration, sign up a fresh organisation.
import { expect, type Page } from '@playwright/test';
import { uniqueEmail } from './helpers';

/** Waits until the WASM app has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs up a new organisation and returns its subdomain (the slug of its name). */
export async function signUp(page: Page, prefix: string): Promise<string> {
  const tag = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
  const org = `${prefix} ${tag}`;
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Your name').fill('Pat Owner');
  await page.getByLabel('Organisation name').fill(org);
  await page.getByLabel('Email').fill(uniqueEmail(prefix.toLowerCase()));
  await page.getByLabel('Password').fill('correct-horse-7');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  return `${prefix.toLowerCase()}-${tag}`;
}

/** From the dashboard, opens the Home page in the builder and waits for it to hydrate. */
export async function openHomeInBuilder(page: Page) {
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await expect(page.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(page);
}
