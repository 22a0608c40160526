import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';

// Visitor pages are plain server-rendered HTML: they must work with JavaScript disabled.

test('the demo site renders by host and by path without JavaScript', async ({ page }) => {
  const byHost = await page.goto(siteUrl('demo'));
  expect(byHost?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Demo');
  await expect(page.getByRole('navigation', { name: 'Site' })).toBeVisible();

  const byPath = await page.goto('/sites/demo/');
  expect(byPath?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Demo');
});

test('unknown sites and pages are a proper 404', async ({ page }) => {
  const missingPage = await page.goto(siteUrl('demo', '/no-such-page'));
  expect(missingPage?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();

  const missingSite = await page.goto(siteUrl('no-such-site-anywhere'));
  expect(missingSite?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
