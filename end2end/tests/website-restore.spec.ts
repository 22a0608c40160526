import { expect, test } from '@playwright/test';
import { hydrated, openWebsiteSettings, publishHome, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

// The website's favicon and undoing a deletion (issue 23 part 1), along a person's path.

test('an owner sets a favicon, visitors get it after publishing; a deleted website is restored from the dashboard', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Icon');
  await publishHome(page);
  await openWebsiteSettings(page);

  // A script is refused; an image address is kept.
  await page.getByLabel('Favicon address').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Save favicon' }).click();
  await expect(page.locator('#ws-favicon-error')).toContainText('Use an image address');
  await page.getByLabel('Favicon address').fill('/starter/gallery-1.svg');
  await page.getByRole('button', { name: 'Save favicon' }).click();
  await expect(page.getByText('Favicon saved. Visitors see it after the next publish.')).toBeVisible();
  const name = await page.getByLabel('Website name').inputValue();

  await publishHome(page);
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(siteUrl(subdomain));
  await expect(visitor.locator('link[rel="icon"]')).toHaveAttribute('href', '/starter/gallery-1.svg');

  // Delete it, then restore it from the dashboard's "Deleted websites".
  await openWebsiteSettings(page);
  await page.getByLabel("Type the website's name to confirm").fill(name);
  await page.getByRole('button', { name: 'Delete website' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  const deleted = page.getByRole('region', { name: 'Deleted websites' });
  await expect(deleted).toContainText(name);
  expect((await visitor.goto(siteUrl(subdomain)))?.status()).toBe(410);
  await hydrated(page);
  await deleted.getByRole('button', { name: `Restore ${name}` }).click();
  await expect(page.getByRole('link', { name: `Settings of ${name}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Deleted websites' })).toHaveCount(0);
  await expect(async () => {
    const again = await visitor.goto(siteUrl(subdomain));
    expect(again?.status()).toBe(200);
  }).toPass({ timeout: 10_000 });
  await visitorContext.close();
});
