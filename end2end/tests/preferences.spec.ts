// Builder preferences as a person uses them: the default device chosen in settings opens the
// builder at that width, and a collapsed builder sidebar stays collapsed after a reload.
import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('the builder opens at the default device from settings and remembers a collapsed sidebar', async ({ page }) => {
  await signUp(page, 'Prefs');

  // A fresh account opens the builder on desktop with its panels showing.
  await openHomeInBuilder(page);
  const devices = page.getByRole('group', { name: 'Device preview' });
  await expect(devices.getByRole('button', { name: 'Desktop' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('tablist', { name: 'Builder panels' })).toBeVisible();

  // Settings: mobile as the builder's default device.
  await page.getByRole('link', { name: '← Websites' }).click();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Builder default device view').selectOption('mobile');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Preferences saved.')).toBeVisible();

  // The builder now opens in mobile width.
  await page.getByRole('link', { name: 'Websites', exact: true }).click();
  await openHomeInBuilder(page);
  await expect(devices.getByRole('button', { name: 'Mobile' })).toHaveAttribute('aria-pressed', 'true');
  await expect(devices.getByRole('button', { name: 'Desktop' })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByRole('main', { name: 'Canvas' }).getByRole('list').first()).toHaveAttribute('data-device', 'Mobile');
  // Switching device for this visit still works.
  await devices.getByRole('button', { name: 'Tablet' }).click();
  await expect(devices.getByRole('button', { name: 'Tablet' })).toHaveAttribute('aria-pressed', 'true');

  // Collapsing the sidebar hides the panels, and the choice is saved.
  const collapse = page.getByRole('button', { name: 'Collapse sidebar' });
  await expect(collapse).toHaveAttribute('aria-pressed', 'false');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/settings/preferences') && r.ok());
  await collapse.click();
  await saved;
  await expect(collapse).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('tablist', { name: 'Builder panels' })).toBeHidden();

  // After a reload: still collapsed, and still opening in mobile width.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Collapse sidebar' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('tablist', { name: 'Builder panels' })).toBeHidden();
  await expect(devices.getByRole('button', { name: 'Mobile' })).toHaveAttribute('aria-pressed', 'true');

  // Expanding brings the panels back, also after a reload.
  const expanded = page.waitForResponse((r) => r.url().endsWith('/api/settings/preferences') && r.ok());
  await page.getByRole('button', { name: 'Collapse sidebar' }).click();
  await expanded;
  await expect(page.getByRole('tablist', { name: 'Builder panels' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('tablist', { name: 'Builder panels' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Collapse sidebar' })).toHaveAttribute('aria-pressed', 'false');
});
