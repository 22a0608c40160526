import { expect, test } from '@playwright/test';
import { signUp } from './builder-helpers';

test('on Starter the analytics page offers the plans that include it', async ({ page }) => {
  await signUp(page, 'Stats');
  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics', level: 1 })).toBeVisible();
  const upsell = page.getByRole('region', { name: 'Upgrade for analytics' });
  await expect(upsell.getByRole('alert')).toContainText('Visitor analytics are available on the Growth plan.');
  await expect(upsell.getByRole('link', { name: 'Upgrade to Growth on the Billing page' })).toHaveAttribute('href', '/billing');
});
