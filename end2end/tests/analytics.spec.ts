import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

test('an owner upgrades for analytics and sees a visit to the published site, counted without cookies', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const subdomain = await signUp(page, 'Stats');

  // Starter: the analytics page names the plan that includes it.
  await page.getByRole('link', { name: 'Analytics', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Analytics', level: 1 })).toBeVisible();
  const upsell = page.getByRole('region', { name: 'Upgrade for analytics' });
  await expect(upsell.getByRole('alert')).toContainText('Visitor analytics are available on the Growth plan.');
  const upgrade = upsell.getByRole('link', { name: 'Upgrade to Growth on the Billing page' });
  await expect(upgrade).toHaveAttribute('href', '/billing');

  // Upgrade in billing's test mode, then publish the site.
  await upgrade.click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByRole('region', { name: 'Current plan' }).getByRole('definition').first()).toHaveText('Growth');
  await page.getByRole('link', { name: 'Your websites' }).click();
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  // A visitor (own browser, no session) reads the home page; the site sets no cookie.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const beacon = visitor.waitForResponse((r) => r.url().endsWith('/_sp/event'));
  await visitor.goto(siteUrl(subdomain));
  expect((await beacon).status()).toBe(204);
  expect(await visitorContext.cookies()).toEqual([]);
  await visitorContext.close();

  // The owner's analytics page shows the visit. Page views are written in batches a few
  // hundred milliseconds apart (server/src/analytics/batch.rs), so the page is reloaded until
  // the batch holding this one is stored.
  await expect(async () => {
    await page.goto('/analytics');
    await expect(page.getByRole('group', { name: 'Page views' })).toContainText('1', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByRole('group', { name: 'Visitors' })).toContainText('1');
  await expect(page.getByRole('table', { name: 'Top pages' }).getByRole('row', { name: '/ 1' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: 'desktop 1' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Page views per day/ })).toBeVisible();

  // A range is chosen with a plain form; the choice is kept in the address.
  await page.getByLabel('Range').selectOption({ label: 'Last 7 days' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByRole('group', { name: 'Page views' })).toContainText('1');
});
