import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

// API keys along an owner's path: create one, see it once, use it from outside the browser
// (a request without cookies, as curl would), see its last use, revoke it, and see it refused.

test('an owner creates an API key, sees it once, uses it, and revokes it', async ({ page, playwright, baseURL }) => {
  await signUp(page, 'Keys', { verify: false });
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('No keys yet.')).toBeVisible();

  await page.getByLabel('Key name').fill('Zapier');
  await expect(page.getByLabel('Read websites and pages')).toBeChecked();
  await page.getByLabel('Publish and roll back').check();
  await page.getByLabel('Expires after (days, optional)').fill('30');
  await page.getByRole('button', { name: 'Create key' }).click();

  const shown = page.getByRole('region', { name: 'Your new key “Zapier”' });
  await expect(shown.getByRole('status')).toContainText('shown only once');
  const key = (await shown.getByLabel('New API key').textContent())?.trim() ?? '';
  expect(key).toMatch(/^sp_live_[0-9a-f]{64}$/);
  const keys = page.getByRole('table', { name: 'API keys' });
  const row = keys.getByRole('row').filter({ hasText: 'Zapier' });
  await expect(row).toContainText(`${key.slice(0, 16)}…`);
  await expect(row).toContainText('read_sites, publish');
  await expect(row).toContainText('never');
  await expect(row).not.toContainText(key.slice(16));

  // Dismissed, the key is gone from the page for good.
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByText(key.slice(16))).toHaveCount(0);

  // A program without cookies lists the websites with it.
  const api = await playwright.request.newContext({ baseURL });
  const res = await api.get('/api/v1/websites', { headers: { Authorization: `Bearer ${key}` } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.data).toHaveLength(1);
  await page.reload();
  await hydrated(page);
  await expect(keys.getByRole('row').filter({ hasText: 'Zapier' })).toContainText('from 127.0.0.1');

  // Revoked, it is refused at once.
  await page.getByRole('button', { name: 'Revoke Zapier' }).click();
  await expect(keys.getByRole('row').filter({ hasText: 'Zapier' })).toContainText('revoked');
  await expect(page.getByRole('button', { name: 'Revoke Zapier' })).toHaveCount(0);
  const refused = await api.get('/api/v1/websites', { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual('Unauthorized');
  await api.dispose();
});
