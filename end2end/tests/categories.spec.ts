import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin, siteUrl } from './helpers';

// The shop's categories (issue 22): an editor builds a small tree, lists a product in a
// sub-category, filters the catalogue by the parent, and a visitor browses the category page.

test('an owner arranges categories, lists a product in one, and visitors browse the category without JavaScript', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Aisles');
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();
  await page.getByRole('link', { name: /^Products of / }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('link', { name: 'Categories' }).click();
  await expect(page.getByRole('heading', { name: 'Categories', level: 1 })).toBeVisible();
  await expect(page.getByText('No categories yet.')).toBeVisible();

  // Kitchen, then Garden, then Mugs inside Kitchen.
  const form = page.getByRole('region', { name: 'New category' });
  await form.getByLabel('Name').fill('Kitchen');
  await form.getByRole('button', { name: 'Add category' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved “Kitchen”.');
  await form.getByLabel('Name').fill('Garden');
  await form.getByRole('button', { name: 'Add category' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved “Garden”.');
  await form.getByLabel('Name').fill('Mugs');
  await form.getByLabel('Inside').selectOption({ label: 'Kitchen' });
  await form.getByRole('button', { name: 'Add category' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved “Mugs”.');
  const tree = page.getByRole('table', { name: 'Categories' });
  await expect(tree.getByRole('row').nth(1)).toContainText('Kitchen');
  await expect(tree.getByRole('row').nth(2)).toContainText('Mugs');
  await expect(tree.getByRole('row').nth(2)).toContainText('/categories/mugs');
  await expect(tree.getByRole('row').nth(3)).toContainText('Garden');

  // Garden moves to the top; Kitchen cannot go inside its own Mugs (not offered, and refused).
  await tree.getByRole('button', { name: 'Move Garden up' }).click();
  await expect(page.getByRole('status')).toHaveText('Moved “Garden” up.');
  await expect(tree.getByRole('row').nth(1)).toContainText('Garden');
  await tree.getByRole('button', { name: 'Edit Kitchen' }).click();
  const edit = page.getByRole('region', { name: 'Edit category' });
  await expect(edit.getByLabel('Name')).toHaveValue('Kitchen');
  await expect(edit.getByLabel('Inside').getByRole('option')).toHaveText(['(top level)', 'Garden']);
  await edit.getByLabel('Description').fill('Everything for the table.');
  await edit.getByRole('button', { name: 'Save category' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved “Kitchen”.');

  // A product listed in Mugs.
  await page.getByRole('link', { name: 'Products' }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'New product' }).click();
  const product = page.getByRole('region', { name: 'New product' });
  await product.getByLabel('Title', { exact: true }).fill('Speckled Mug');
  await product.getByLabel('Status', { exact: true }).selectOption('active');
  await product.getByLabel('Variant 1 price', { exact: true }).fill('18');
  await product.getByLabel('Variant 1 stock').fill('5');
  await product.getByRole('group', { name: 'Categories' }).getByLabel('Mugs').check();
  await product.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Speckled Mug”.');

  // Filtering by Kitchen finds it (it is in Mugs, under Kitchen); Garden does not.
  const catalogue = page.getByRole('table', { name: 'Products' });
  await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Garden' });
  await expect(page.getByText('No products match.')).toBeVisible();
  await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Kitchen' });
  await expect(catalogue).toContainText('Speckled Mug');

  // Publish; a visitor without JavaScript browses /categories/kitchen to the product.
  const websiteId = new URL(page.url()).pathname.split('/')[2];
  const published = await page.request.post('/api/websites/publish', {
    headers: { Origin: appOrigin() },
    data: { website_id: websiteId, notes: null },
  });
  expect(published.ok()).toBeTruthy();
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const visitor = await noJs.newPage();
  const res = await visitor.goto(siteUrl(subdomain, '/categories/kitchen'));
  expect(res?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { name: 'Kitchen', level: 1 })).toBeVisible();
  await expect(visitor.getByText('Everything for the table.')).toBeVisible();
  await expect(visitor.getByText('€18.00')).toBeVisible();
  await visitor.getByRole('link', { name: 'Speckled Mug' }).click();
  await expect(visitor.getByRole('heading', { name: 'Speckled Mug', level: 1 })).toBeVisible();
  const garden = await visitor.goto(siteUrl(subdomain, '/categories/garden'));
  expect(garden?.status()).toBe(200);
  await expect(visitor.getByText('Nothing for sale yet.')).toBeVisible();
  await noJs.close();
});

test('an editor downloads the catalogue as CSV, imports an edited file, and a bad line changes nothing', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, 'Csvshop');
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();
  await page.getByRole('link', { name: /^Products of / }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await hydrated(page);

  // Import two products from a file chosen in the page.
  const file = (text: string) => ({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByLabel('Product CSV file').setInputFiles(file(
    'Handle,Title,Status,Price,Stock,Option names,Option values\r\n' +
    'linen-apron,Linen Apron,active,24,3,Colour,Sand\r\n' +
    'linen-apron,,,26,1,,Olive\r\n' +
    'tea-towel,Tea Towel,draft,8,10,,\r\n'));
  await page.getByRole('button', { name: 'Import products' }).click();
  await expect(page.getByRole('status')).toHaveText('Imported: 2 new, 0 updated.');
  const catalogue = page.getByRole('table', { name: 'Products' });
  const apron = catalogue.getByRole('row').filter({ hasText: 'Linen Apron' });
  await expect(apron).toContainText('€24.00 – €26.00');
  await expect(apron).toContainText('Active');
  await expect(catalogue.getByRole('row').filter({ hasText: 'Tea Towel' })).toContainText('Draft');

  // The download is the same format, one line per variant.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download products (CSV)' }).click();
  const download = await downloading;
  const csv = readFileSync((await download.path()) ?? '', 'utf8');
  expect(csv.split('\r\n')[0]).toBe('Handle,Title,Status,Currency,Description,Option names,Option values,SKU,Price,Compare-at price,Stock,Track stock,Categories,Images,SEO title,SEO description');
  expect(csv).toContain('linen-apron,,,,,,Olive,,26.00,,1,yes');

  // A file with one bad line is refused with the line named, and nothing changes.
  await page.getByLabel('Product CSV file').setInputFiles(file(
    'Handle,Title,Price\r\ntea-towel,Tea Towel,9\r\nlinen-apron,Linen Apron,free\r\n'));
  await page.getByRole('button', { name: 'Import products' }).click();
  await expect(page.getByRole('alert')).toContainText('Line 3');
  await expect(catalogue.getByRole('row').filter({ hasText: 'Tea Towel' })).toContainText('€8.00');
});
