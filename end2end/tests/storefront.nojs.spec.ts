import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { appOrigin, siteUrl, uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

// The storefront blocks without JavaScript: a product grid, a buy button and the cart block are
// plain links and form posts. The shop is set up through the app's server functions; a visitor
// buys from the grid and the buy button, applies a code and pays in test mode.

async function call(request: APIRequestContext, path: string, init: { form?: Record<string, string>; data?: unknown }) {
  const res = await request.post(path, { ...init, headers: { Accept: 'application/json', Origin: appOrigin() } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy();
  return res.json();
}

test('a visitor without JavaScript buys from a product grid and a buy button, with a code, in test mode', async ({ page }) => {
  const request = page.request;
  const email = uniqueEmail('nojs-store');
  await call(request, '/api/signup', {
    form: { full_name: 'Pat Owner', org_name: `NoJS Store ${randomUUID().slice(0, 6)}`, email, password: 'correct-horse-7' },
  });
  await page.goto(linkIn(await waitForMail(email, /Confirm your email address/), '/verify-email/'));
  await expect(page.getByRole('heading', { name: 'Your email address is verified' })).toBeVisible();
  await call(request, '/api/billing/test_change', { data: { plan: 'growth', cycle: 'monthly', keep: [] } });
  const [site] = await call(request, '/api/websites', { form: {} });
  const towel = await call(request, '/api/commerce/product/create', {
    data: {
      website_id: site.id,
      product: {
        title: 'Linen Towel', status: 'active', currency: 'EUR', option_names: ['Colour'],
        variants: [
          { option_values: ['Sand'], price: '15', stock: '5', track_inventory: true },
          { option_values: ['Moss'], price: '18', stock: '5', track_inventory: true },
        ],
      },
    },
  });
  await call(request, '/api/commerce/promotion/create', {
    data: { website_id: site.id, promotion: { code: 'FIVE', name: 'Five off', kind: 'fixed', value: '5', currency: 'EUR' } },
  });
  const home = site.pages.find((p: { slug: string }) => p.slug === '/');
  let data = await call(request, '/api/builder/load', { form: { page_id: home.id } });
  const blocks = [
    { type: 'product_grid', props: { heading: 'Towels', source: 'all', columns: 3, limit: 12 } },
    { type: 'buy_button', props: { product_id: towel.id, variant_id: '', label: 'Buy a towel', show_price: true } },
    { type: 'cart', props: { heading: 'Your basket', body: '', button_label: 'Go to the basket' } },
  ];
  let after = data.components[1].id;
  let revision = data.revision;
  for (const block of blocks) {
    const id = randomUUID();
    const ack = await call(request, '/api/builder/insert', {
      data: { page_id: home.id, block: { id, block, is_visible: true, is_locked: false }, after, base_revision: revision },
    });
    revision = ack.revision;
    after = id;
  }
  await call(request, '/api/websites/publish', { data: { website_id: site.id } });

  // The grid links the product's page with its live price.
  await page.goto(siteUrl(site.subdomain, '/'));
  await expect(page.getByRole('heading', { name: 'Towels' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Towels' })).toContainText('From €15.00');
  // The buy button: the visitor picks the colour in a plain select and posts the form.
  await page.getByLabel('Choose Linen Towel').selectOption({ label: 'Moss – €18.00' });
  await page.getByRole('button', { name: 'Buy a towel' }).click();
  await expect(page.getByRole('heading', { name: 'Your cart', level: 1 })).toBeVisible();
  await expect(page.getByText('Subtotal: €18.00')).toBeVisible();
  // Back through the grid to the product page, one Sand towel more.
  await page.goto(siteUrl(site.subdomain, '/'));
  await page.getByRole('link', { name: 'Linen Towel' }).click();
  await expect(page.getByRole('heading', { name: 'Linen Towel', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Add Sand to cart' }).click();
  await expect(page.getByText('Subtotal: €33.00')).toBeVisible();
  // The cart block on the home page leads to the same cart.
  await page.goto(siteUrl(site.subdomain, '/'));
  await page.getByRole('link', { name: 'Go to the basket' }).click();
  await expect(page.getByText('Subtotal: €33.00')).toBeVisible();

  await page.getByLabel('Discount code').fill('five');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByText('Total: €28.00')).toBeVisible();
  await page.getByLabel('Email for your receipt').fill('nojs-grid@example.com');
  await page.getByRole('button', { name: 'Check out' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+: payment$/ })).toBeVisible();
  await page.getByRole('button', { name: 'Pay (test mode)' }).click();
  await expect(page.getByRole('heading', { name: /is paid$/ })).toBeVisible();

  // The stock the grid's product page shows went down at once (never a stale page).
  await page.goto(siteUrl(site.subdomain, '/products/linen-towel'));
  await expect(page.getByRole('table', { name: 'Prices' }).getByRole('row').filter({ hasText: 'Moss' })).toContainText('Only 4 left');
  const orders = await call(request, '/api/commerce/orders', { data: { website_id: site.id } });
  expect(orders.orders[0]).toMatchObject({ status: 'paid', total_cents: 2800, discount_cents: 500, promotion_code: 'FIVE' });
});
