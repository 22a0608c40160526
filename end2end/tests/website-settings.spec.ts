import { expect, test } from '@playwright/test';
import { openWebsiteSettings, publishHome, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

// The website settings page (issue 23 part 1), along a person's path: publish, then rename the
// site and move it to a new address, take it offline and back, delete it.

test('an owner renames the site and changes its address; the old address redirects to the new one', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const old = await signUp(page, 'Moving');
  await publishHome(page);
  await openWebsiteSettings(page);

  await page.getByLabel('Website name').fill('Crumb and Co');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByText('Name saved. Visitors see it after the next publish.')).toBeVisible();
  await expect(page.getByText('Website: Crumb and Co')).toBeVisible();

  // A bad address is refused under the field, and nothing changes.
  await page.getByLabel('Subdomain').fill('No Spaces');
  await page.getByRole('button', { name: 'Change address' }).click();
  await expect(page.locator('#ws-subdomain-error')).not.toBeEmpty();

  const moved = `${old}-new`;
  await page.getByLabel('Subdomain').fill(moved);
  await page.getByRole('button', { name: 'Change address' }).click();
  await expect(page.getByText('Address changed. The old address redirects here for 30 days.')).toBeVisible();
  const oldAddresses = page.getByRole('list', { name: 'Old addresses' });
  await expect(oldAddresses).toContainText(`${old} redirects here until`);

  // A visitor at the old address lands on the new one, same path.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  // (The browser resolves *.localhost itself; Node's request API cannot, so the browser asks.)
  const landed = await visitor.goto(siteUrl(old, '/?from=card'));
  expect(landed?.status()).toBe(200);
  await expect(visitor).toHaveURL(siteUrl(moved, '/?from=card'));
  const first = landed?.request().redirectedFrom();
  expect(first?.url()).toBe(siteUrl(old, '/?from=card'));
  const redirect = await first?.response();
  expect(redirect?.status()).toBe(308);
  expect(redirect?.headers()['location']).toBe(siteUrl(moved, '/?from=card'));
  await visitorContext.close();
});

test('an owner unpublishes the site, visitors see that it is not available, and publishing again brings it back', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const subdomain = await signUp(page, 'Offline');
  await publishHome(page);
  await openWebsiteSettings(page);

  await page.getByRole('button', { name: 'Unpublish' }).click();
  await expect(page.getByText('Unpublished: the site is offline.')).toBeVisible();
  await expect(page.getByText(/^Unpublished on .*Your deployments are kept\.$/)).toBeVisible();

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const offline = await visitor.goto(siteUrl(subdomain));
  expect(offline?.status()).toBe(404);
  await expect(visitor.getByRole('heading', { name: 'This website is not available' })).toBeVisible();

  await page.getByRole('button', { name: 'Publish again' }).click();
  await expect(page.getByText('Published again.')).toBeVisible();
  const back = await visitor.goto(siteUrl(subdomain));
  expect(back?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { name: 'This website is not available' })).toHaveCount(0);
  await visitorContext.close();
});

test('an owner deletes a website by typing its name; it leaves the dashboard and goes offline', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const subdomain = await signUp(page, 'Deleting');
  await publishHome(page);
  await openWebsiteSettings(page);
  const name = await page.getByLabel('Website name').inputValue();

  await page.getByLabel("Type the website's name to confirm").fill('not the name');
  await page.getByRole('button', { name: 'Delete website' }).click();
  await expect(page.locator('#ws-confirm-error')).toContainText(`Type the website's name, “${name}”, to confirm.`);

  await page.getByLabel("Type the website's name to confirm").fill(name);
  await page.getByRole('button', { name: 'Delete website' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await expect(page.getByRole('link', { name: `Settings of ${name}` })).toHaveCount(0);

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const gone = await visitor.goto(siteUrl(subdomain));
  expect(gone?.status()).toBe(410);
  await expect(visitor.getByRole('heading', { name: 'This website is not available' })).toBeVisible();
  await visitorContext.close();
});
