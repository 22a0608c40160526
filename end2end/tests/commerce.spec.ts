import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin, siteUrl } from './helpers';

// The shop catalogue (issue 22): products with variants on a website's Products page.

/** From the dashboard, opens the website's products page and waits for it to hydrate. */
async function openProducts(page: Page) {
  await page.getByRole('link', { name: /^Products of / }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await hydrated(page);
}

test('an owner on Growth creates a product with two variants, finds it in the list, and visitors see its page without JavaScript', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Mugshop');
  // Growth sells (billing test mode, as the billing page's button does it).
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();
  await openProducts(page);
  await expect(page.getByText('0 of 100 products on your plan.')).toBeVisible();
  await expect(page.getByText('No products match.')).toBeVisible();

  await page.getByRole('button', { name: 'New product' }).click();
  const form = page.getByRole('region', { name: 'New product' });
  await form.getByLabel('Title', { exact: true }).fill('Stoneware Mug');
  await form.getByLabel('Description', { exact: true }).fill('Hand-thrown, **dishwasher** safe.');
  await form.getByLabel('Status', { exact: true }).selectOption('active');
  await form.getByLabel('Options').fill('Size');
  await form.getByLabel('Variant 1 Size').fill('Small');
  await form.getByLabel('Variant 1 SKU').fill('MUG-S');
  await form.getByLabel('Variant 1 price', { exact: true }).fill('12.50');
  await form.getByLabel('Variant 1 stock').fill('4');
  await form.getByRole('button', { name: 'Add variant' }).click();
  await form.getByLabel('Variant 2 Size').fill('Large');
  await form.getByLabel('Variant 2 SKU').fill('MUG-L');
  await form.getByLabel('Variant 2 price', { exact: true }).fill('14');
  await form.getByLabel('Variant 2 compare-at price').fill('16');
  await form.getByLabel('Variant 2 stock').fill('2');
  await form.getByRole('button', { name: 'Save product' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Stoneware Mug”.');
  const row = page.getByRole('table', { name: 'Products' }).getByRole('row').filter({ hasText: 'Stoneware Mug' });
  await expect(row).toContainText('/products/stoneware-mug');
  await expect(row).toContainText('Active');
  await expect(row).toContainText('€12.50 – €14.00');
  await expect(row.getByRole('cell').nth(5)).toHaveText('2');
  await expect(row.getByRole('cell').nth(6)).toHaveText('6');
  await expect(page.getByText('1 of 100 products on your plan.')).toBeVisible();

  // The edit form shows what was saved; a negative stock is refused with the variant named.
  await row.getByRole('button', { name: 'Edit Stoneware Mug' }).click();
  const edit = page.getByRole('region', { name: 'Edit product' });
  await expect(edit.getByLabel('Variant 2 compare-at price')).toHaveValue('16.00');
  await edit.getByLabel('Variant 1 stock').fill('-3');
  await edit.getByRole('button', { name: 'Save product' }).click();
  await expect(edit.getByRole('alert')).toHaveText('Variant 1: stock cannot be negative.');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // Search and the status filter.
  await page.getByLabel('Search products').fill('teapot');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No products match.')).toBeVisible();
  await page.getByLabel('Search products').fill('MUG-L');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('table', { name: 'Products' })).toContainText('Stoneware Mug');
  await page.getByRole('search').getByLabel('Status').selectOption('draft');
  await expect(page.getByText('No products match.')).toBeVisible();

  // Publish the site; a visitor with JavaScript off reads the product's page with live prices.
  const websiteId = new URL(page.url()).pathname.split('/')[2];
  const published = await page.request.post('/api/websites/publish', {
    headers: { Origin: appOrigin() },
    data: { website_id: websiteId, notes: null },
  });
  expect(published.ok()).toBeTruthy();
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const visitor = await noJs.newPage();
  const res = await visitor.goto(siteUrl(subdomain, '/products/stoneware-mug'));
  expect(res?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { name: 'Stoneware Mug', level: 1 })).toBeVisible();
  await expect(visitor.getByRole('strong')).toHaveText('dishwasher');
  const prices = visitor.getByRole('table', { name: 'Prices' });
  await expect(prices.getByRole('row').filter({ hasText: 'Small' })).toContainText('€12.50');
  const large = prices.getByRole('row').filter({ hasText: 'Large' });
  await expect(large).toContainText('€14.00');
  await expect(large).toContainText('€16.00');
  await expect(large).toContainText('Only 2 left');
  const ld = JSON.parse((await visitor.locator('script[type="application/ld+json"]').textContent()) ?? '{}');
  expect(ld['@type']).toBe('Product');
  expect(ld.offers.map((o: { price: string }) => o.price)).toEqual(['12.50', '14.00']);
  expect(ld.offers[0].priceCurrency).toBe('EUR');
  // The shop's index links to it.
  await visitor.goto(siteUrl(subdomain, '/products'));
  await expect(visitor.getByRole('heading', { name: 'Shop', level: 1 })).toBeVisible();
  await visitor.getByRole('link', { name: 'Stoneware Mug' }).click();
  await expect(visitor.getByRole('heading', { name: 'Stoneware Mug', level: 1 })).toBeVisible();

  // Still without JavaScript: add two large mugs, check out and pay in test mode.
  await visitor.getByLabel('Quantity of Large').fill('2');
  await visitor.getByRole('button', { name: 'Add Large to cart' }).click();
  await expect(visitor.getByRole('heading', { name: 'Your cart', level: 1 })).toBeVisible();
  const cart = visitor.getByRole('table', { name: 'Cart' });
  await expect(cart.getByRole('row').filter({ hasText: 'Stoneware Mug (Large)' })).toContainText('€28.00');
  await expect(visitor.getByText('Subtotal: €28.00')).toBeVisible();
  // Asking for more than is left is refused at checkout with what is left; nothing is held.
  await visitor.getByLabel('Quantity of Stoneware Mug (Large)').fill('3');
  await visitor.getByRole('button', { name: 'Update' }).click();
  await visitor.getByLabel('Email for your receipt').fill('ann@example.com');
  await visitor.getByRole('button', { name: 'Check out' }).click();
  await expect(visitor.getByRole('alert')).toHaveText('Only 2 left of Stoneware Mug (Large). Lower the quantity to check out.');
  await visitor.getByLabel('Quantity of Stoneware Mug (Large)').fill('2');
  await visitor.getByRole('button', { name: 'Update' }).click();
  await visitor.getByLabel('Email for your receipt').fill('ann@example.com');
  await visitor.getByRole('button', { name: 'Check out' }).click();
  await expect(visitor.getByRole('heading', { name: /^Order \d+: payment$/ })).toBeVisible();
  await expect(visitor.getByText('Your items are reserved for 30 minutes while you pay.')).toBeVisible();
  await visitor.getByRole('button', { name: 'Pay (test mode)' }).click();
  await expect(visitor.getByRole('heading', { name: /is paid$/ })).toBeVisible();
  await expect(visitor.getByText('A receipt goes to ann@example.com.')).toBeVisible();
  // The stock went down for everyone.
  await visitor.goto(siteUrl(subdomain, '/products/stoneware-mug'));
  await expect(visitor.getByRole('table', { name: 'Prices' }).getByRole('row').filter({ hasText: 'Large' })).toContainText('Sold out');
  await noJs.close();

  // The owner finds the order paid and marks it fulfilled.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: /^Orders of / }).click();
  await expect(page.getByRole('heading', { name: 'Orders', level: 1 })).toBeVisible();
  await hydrated(page);
  const order = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: 'ann@example.com' });
  await expect(order).toContainText('€28.00');
  await expect(order.getByRole('cell').nth(5)).toHaveText('paid');
  await order.getByRole('button', { name: /^Mark fulfilled/ }).click();
  await expect(order.getByRole('cell').nth(5)).toHaveText('fulfilled');
  await expect(order.getByRole('button', { name: /^Mark shipped/ })).toBeVisible();

  // A visitor with JavaScript reads the product page: its beacon counts a product view.
  const jsContext = await browser.newContext();
  const reader = await jsContext.newPage();
  const beacon = reader.waitForResponse((r) => r.url().endsWith('/_sp/event'));
  await reader.goto(siteUrl(subdomain, '/products/stoneware-mug'));
  expect((await beacon).status()).toBe(204);
  await jsContext.close();

  // The analytics page shows the shop: today's sale and the conversion from product views.
  // Page views are stored in batches, so the page is reloaded until the view is in.
  const shop = page.getByRole('region', { name: 'Shop' });
  await expect(async () => {
    await page.goto('/analytics');
    await expect(shop.getByRole('group', { name: 'Product views' })).toContainText('1', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await expect(shop.getByRole('group', { name: 'Revenue' })).toContainText('€28.00');
  await expect(shop.getByRole('group', { name: 'Paid orders' })).toContainText('1');
  await expect(shop.getByRole('group', { name: 'Conversion' })).toContainText('100.0%');
  await shop.getByText('Revenue per day in EUR').click();
  await expect(shop.getByRole('table', { name: 'Revenue per day in EUR' }).getByRole('row').nth(1)).toContainText('€28.00');

  // Back on the orders: the CSV has the order and its lines; then a refund puts the mugs back.
  await page.goto(`/websites/${websiteId}/orders`);
  await hydrated(page);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download all orders (CSV)' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8');
  expect(csv.split('\r\n')[0]).toMatch(/^Order,Placed \(UTC\),Paid \(UTC\),Status,Payment,Customer email/);
  expect(csv).toContain('ann@example.com');
  expect(csv).toContain('2 × Stoneware Mug');
  const refunded = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: 'ann@example.com' });
  await refunded.getByRole('button', { name: /^Refund order / }).click();
  const confirm = refunded.getByRole('group', { name: /^Refund order / });
  await expect(confirm.getByLabel('Put the items back in stock')).toBeChecked();
  await confirm.getByRole('button', { name: 'Refund €28.00 to ann@example.com' }).click();
  await expect(refunded.getByRole('cell').nth(5)).toHaveText('refunded');
  await expect(refunded.getByRole('cell').nth(6)).toHaveText('refunded');
  await expect(refunded.getByRole('button', { name: /^Refund order / })).toHaveCount(0);
  const shopper = await browser.newPage();
  await shopper.goto(siteUrl(subdomain, '/products/stoneware-mug'));
  await expect(shopper.getByRole('table', { name: 'Prices' }).getByRole('row').filter({ hasText: 'Large' })).toContainText('Only 2 left');
  await shopper.close();
});

test('an owner on the free plan is told to upgrade', async ({ page }) => {
  await signUp(page, 'Freestall');
  const link = page.getByRole('link', { name: /^Products of / });
  const websiteId = (await link.getAttribute('href'))?.split('/')[2];
  await openProducts(page);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Online shops are available on the Growth plan. Upgrade to use them.');
  await expect(alert.getByRole('link', { name: 'Upgrade to Growth on the Billing page' })).toHaveAttribute('href', '/billing');
  await expect(page.getByRole('button', { name: 'New product' })).toHaveCount(0);

  // The server refuses too, with 402 and the plan that lifts it.
  const create = await page.request.post('/api/commerce/product/create', {
    headers: { Origin: appOrigin() },
    data: {
      website_id: websiteId,
      product: { title: 'Sneaky', status: 'active', currency: 'EUR', variants: [{ price: '1' }] },
    },
  });
  expect(create.status()).toBe(402);
});
