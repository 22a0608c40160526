import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { appOrigin, siteUrl } from './helpers';

// The storefront blocks (issue 22, "Storefront blocks"), as a new user takes the path: a product
// with two variants, a discount code, a product grid on the home page, publish; a visitor adds
// to cart from the grid, applies the code and pays in test mode; the owner finds the order paid
// and fulfils it. The same storefront without JavaScript: storefront.nojs.spec.ts.

/** From the dashboard, opens the website's products page and waits for it to hydrate. */
async function openProducts(page: Page) {
  await page.getByRole('link', { name: /^Products of / }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await hydrated(page);
}

test('a new owner sells through a product grid: a visitor buys with a code, the owner fulfils the paid order', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Gridshop');
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();

  // A product with two variants.
  await openProducts(page);
  await page.getByRole('button', { name: 'New product' }).click();
  const form = page.getByRole('region', { name: 'New product' });
  await form.getByLabel('Title', { exact: true }).fill('Stoneware Mug');
  await form.getByLabel('Status', { exact: true }).selectOption('active');
  await form.getByLabel('Options').fill('Size');
  await form.getByLabel('Variant 1 Size').fill('Small');
  await form.getByLabel('Variant 1 price', { exact: true }).fill('12.50');
  await form.getByLabel('Variant 1 stock').fill('4');
  await form.getByRole('button', { name: 'Add variant' }).click();
  await form.getByLabel('Variant 2 Size').fill('Large');
  await form.getByLabel('Variant 2 price', { exact: true }).fill('20');
  await form.getByLabel('Variant 2 stock').fill('3');
  await form.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Stoneware Mug”.');
  const websiteId = new URL(page.url()).pathname.split('/')[2];

  // A discount code: 10 % off.
  await page.getByRole('link', { name: 'Discount codes' }).click();
  await expect(page.getByRole('heading', { name: 'Discount codes', level: 1 })).toBeVisible();
  await hydrated(page);
  const codeForm = page.getByRole('region', { name: 'New discount code' });
  await codeForm.getByLabel('Code', { exact: true }).fill('MUGS10');
  await codeForm.getByLabel('Name', { exact: true }).fill('Mugs ten percent');
  await codeForm.getByRole('radio', { name: 'Percentage' }).check();
  await codeForm.getByLabel('Percentage off').fill('10');
  await codeForm.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('status')).toHaveText('Created code MUGS10.');

  // A product grid on the home page, from the palette's Shop group: it shows the real product.
  await page.goto('/dashboard');
  await hydrated(page);
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const shop = page.getByRole('list', { name: 'Shop' });
  await expect(shop.getByRole('button', { name: 'Add Buy button' })).toBeVisible();
  await shop.getByRole('button', { name: 'Add Product grid' }).click();
  const grid = canvas.getByRole('listitem', { name: 'Product grid block' });
  await expect(grid.getByRole('link', { name: 'Stoneware Mug' })).toBeVisible();
  await expect(grid).toContainText('From €12.50');
  await expect(status).toHaveText('Saved');
  await grid.click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Our mugs');
  await expect(grid.getByRole('heading', { name: 'Our mugs' })).toBeVisible();
  // Hand-picked: the picker lists the shop's products.
  await inspector.getByLabel('Show', { exact: true }).selectOption({ label: 'Products I pick' });
  await expect(grid).toContainText('Pick products in the inspector.');
  await inspector.getByRole('group', { name: 'Products' }).getByLabel('Stoneware Mug').check();
  await expect(grid.getByRole('link', { name: 'Stoneware Mug' })).toBeVisible();
  await expect(status).toHaveText('Saved');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  // A visitor: the grid links the product page; two large mugs, the code, test-mode payment.
  const ctx = await browser.newContext();
  const visitor = await ctx.newPage();
  await visitor.goto(siteUrl(subdomain, '/'));
  const onSite = visitor.getByRole('region', { name: 'Our mugs' });
  await expect(onSite.getByRole('heading', { name: 'Our mugs' })).toBeVisible();
  await expect(onSite).toContainText('From €12.50');
  await onSite.getByRole('link', { name: 'Stoneware Mug' }).click();
  await expect(visitor.getByRole('heading', { name: 'Stoneware Mug', level: 1 })).toBeVisible();
  await visitor.getByLabel('Quantity of Large').fill('2');
  await visitor.getByRole('button', { name: 'Add Large to cart' }).click();
  await expect(visitor.getByRole('heading', { name: 'Your cart', level: 1 })).toBeVisible();
  await expect(visitor.getByText('Subtotal: €40.00')).toBeVisible();
  await visitor.getByLabel('Discount code').fill('mugs10');
  await visitor.getByRole('button', { name: 'Apply code' }).click();
  await expect(visitor.getByText('Discount (MUGS10): −€4.00')).toBeVisible();
  await expect(visitor.getByText('Total: €36.00')).toBeVisible();
  await visitor.getByLabel('Email for your receipt').fill('grid@example.com');
  await visitor.getByRole('button', { name: 'Check out' }).click();
  await expect(visitor.getByRole('heading', { name: /^Order \d+: payment$/ })).toBeVisible();
  await visitor.getByRole('button', { name: 'Pay (test mode)' }).click();
  await expect(visitor.getByRole('heading', { name: /is paid$/ })).toBeVisible();
  // The grid shows the stock as it is now: one large mug left, still for sale.
  await visitor.goto(siteUrl(subdomain, '/products/stoneware-mug'));
  await expect(visitor.getByRole('table', { name: 'Prices' }).getByRole('row').filter({ hasText: 'Large' })).toContainText('Only 1 left');
  await ctx.close();

  // The owner finds the order paid and fulfils it.
  await page.goto(`/websites/${websiteId}/orders`);
  await expect(page.getByRole('heading', { name: 'Orders', level: 1 })).toBeVisible();
  await hydrated(page);
  const order = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: 'grid@example.com' });
  await expect(order.getByRole('cell').nth(4)).toContainText('€36.00');
  await expect(order.getByRole('cell').nth(5)).toHaveText('paid');
  await order.getByRole('button', { name: /^Mark fulfilled/ }).click();
  await expect(order.getByRole('cell').nth(5)).toHaveText('fulfilled');
});
