import { expect, test, type Page } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin, siteUrl } from './helpers';

// Discount codes (issue 22 part 5): the owner makes a code on the Promotions page, reached from
// the Products page; a visitor applies it on the cart and pays the discounted total in test mode;
// the owner sees the discount on the paid order and the use on the code.

/** From the dashboard, opens the website's products page and waits for it to hydrate. */
async function openProducts(page: Page) {
  await page.getByRole('link', { name: /^Products of / }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await hydrated(page);
}

test('an owner makes a code, a visitor applies it and pays the discounted total, and the owner sees the discount', async ({ page, browser }) => {
  const subdomain = await signUp(page, 'Codeshop');
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();
  await openProducts(page);

  // A product: a tea towel at €12.50.
  await page.getByRole('button', { name: 'New product' }).click();
  const form = page.getByRole('region', { name: 'New product' });
  await form.getByLabel('Title', { exact: true }).fill('Tea Towel');
  await form.getByLabel('Status', { exact: true }).selectOption('active');
  await form.getByLabel('Variant 1 price', { exact: true }).fill('12.50');
  await form.getByLabel('Variant 1 stock').fill('10');
  await form.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Tea Towel”.');

  // The Products page leads to the discount codes.
  await page.getByRole('link', { name: 'Discount codes' }).click();
  await expect(page.getByRole('heading', { name: 'Discount codes', level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('No discount codes yet.')).toBeVisible();
  const codeForm = page.getByRole('region', { name: 'New discount code' });
  await codeForm.getByLabel('Code', { exact: true }).fill('save10');
  await codeForm.getByLabel('Name', { exact: true }).fill('Ten percent off');
  await codeForm.getByRole('radio', { name: 'Percentage' }).check();
  await codeForm.getByLabel('Percentage off').fill('10');
  await codeForm.getByLabel('Total uses (optional)').fill('5');
  await codeForm.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('status')).toHaveText('Created code SAVE10.');
  const row = page.getByRole('table', { name: 'Discount codes' }).getByRole('row').filter({ hasText: 'SAVE10' });
  await expect(row).toContainText('10 %');
  await expect(row.getByRole('cell').nth(5)).toHaveText('0 of 5');
  await expect(row.getByRole('cell').nth(6)).toHaveText('Active');
  // The form is empty again; the same code twice is refused, naming what to change.
  await expect(codeForm.getByLabel('Code', { exact: true })).toHaveValue('');
  await codeForm.getByLabel('Code', { exact: true }).fill('SAVE10');
  await codeForm.getByLabel('Name', { exact: true }).fill('Again');
  await codeForm.getByLabel('Percentage off').fill('20');
  await codeForm.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('alert')).toHaveText('Another promotion of this website already uses this code. Choose another.');
  // A fixed amount (in the shop's currency, the only one offered) ending in the past is refused.
  await codeForm.getByLabel('Code', { exact: true }).fill('FIVEOFF');
  await codeForm.getByRole('radio', { name: 'Fixed amount' }).check();
  await codeForm.getByLabel('Amount off').fill('5');
  await expect(codeForm.getByLabel('Currency')).toHaveValue('EUR');
  await codeForm.getByLabel('Ends (UTC, optional)').fill('2020-01-01T10:00');
  await codeForm.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByRole('alert')).toHaveText('The end must come after the start (which is now when left empty).');

  const websiteId = new URL(page.url()).pathname.split('/')[2];
  const published = await page.request.post('/api/websites/publish', {
    headers: { Origin: appOrigin() },
    data: { website_id: websiteId, notes: null },
  });
  expect(published.ok()).toBeTruthy();

  // A visitor adds two towels and applies the code (in lower case) on the cart.
  const ctx = await browser.newContext();
  const visitor = await ctx.newPage();
  await visitor.goto(siteUrl(subdomain, '/products/tea-towel'));
  await visitor.getByLabel('Quantity of Tea Towel').fill('2');
  await visitor.getByRole('button', { name: 'Add Tea Towel to cart' }).click();
  await expect(visitor.getByRole('heading', { name: 'Your cart', level: 1 })).toBeVisible();
  await expect(visitor.getByText('Subtotal: €25.00')).toBeVisible();
  await visitor.getByLabel('Discount code').fill('NOPE');
  await visitor.getByRole('button', { name: 'Apply code' }).click();
  await expect(visitor.getByRole('alert')).toHaveText('This code is not valid on this shop.');
  await visitor.getByLabel('Discount code').fill('save10');
  await visitor.getByRole('button', { name: 'Apply code' }).click();
  await expect(visitor.getByText('Discount (SAVE10): −€2.50')).toBeVisible();
  await expect(visitor.getByText('Total: €22.50')).toBeVisible();
  await visitor.getByLabel('Email for your receipt').fill('towels@example.com');
  await visitor.getByRole('button', { name: 'Check out' }).click();
  await expect(visitor.getByRole('heading', { name: /^Order \d+: payment$/ })).toBeVisible();
  await expect(visitor.getByText('Discount (SAVE10): −€2.50')).toBeVisible();
  await expect(visitor.getByText('Total: €22.50')).toBeVisible();
  await visitor.getByRole('button', { name: 'Pay (test mode)' }).click();
  await expect(visitor.getByRole('heading', { name: /is paid$/ })).toBeVisible();
  await ctx.close();

  // The owner sees the order paid at the discounted total, and one use of the code.
  await page.goto(`/websites/${websiteId}/orders`);
  await expect(page.getByRole('heading', { name: 'Orders', level: 1 })).toBeVisible();
  await hydrated(page);
  const order = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: 'towels@example.com' });
  await expect(order.getByRole('cell').nth(4)).toContainText('€22.50');
  await expect(order.getByRole('cell').nth(4)).toContainText('−€2.50 with SAVE10');
  await expect(order.getByRole('cell').nth(5)).toHaveText('paid');
  await page.goto(`/websites/${websiteId}/promotions`);
  await hydrated(page);
  const used = page.getByRole('table', { name: 'Discount codes' }).getByRole('row').filter({ hasText: 'SAVE10' });
  await expect(used.getByRole('cell').nth(5)).toHaveText('1 of 5');

  // Edited, the code keeps its use and shows its new terms; a total below the uses is refused.
  await used.getByRole('button', { name: 'Edit SAVE10' }).click();
  const editForm = page.getByRole('region', { name: 'Edit discount code' });
  await expect(editForm.getByLabel('Percentage off')).toHaveValue('10');
  await expect(editForm.getByLabel('Total uses (optional)')).toHaveValue('5');
  await editForm.getByLabel('Percentage off').fill('15');
  await editForm.getByLabel('Total uses (optional)').fill('0');
  await editForm.getByRole('button', { name: 'Save code' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await editForm.getByLabel('Total uses (optional)').fill('8');
  await editForm.getByRole('button', { name: 'Save code' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved code SAVE10.');
  await expect(used).toContainText('15 %');
  await expect(used.getByRole('cell').nth(5)).toHaveText('1 of 8');
  await expect(page.getByRole('region', { name: 'New discount code' })).toBeVisible();

  // Switched off, the code shows as off and its button offers to switch it on again.
  await used.getByRole('button', { name: 'Deactivate SAVE10' }).click();
  await expect(page.getByRole('status')).toHaveText('Code SAVE10 switched off.');
  await expect(used.getByRole('cell').nth(6)).toHaveText('Off');
  await expect(used.getByRole('button', { name: 'Activate SAVE10' })).toBeVisible();
  await used.getByRole('button', { name: 'Delete SAVE10' }).click();
  await expect(page.getByText('No discount codes yet.')).toBeVisible();
});
