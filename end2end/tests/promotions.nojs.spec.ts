import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { appOrigin, siteUrl, uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

// A discount code on the cart is a plain HTML form: without JavaScript a visitor applies a code,
// reads why one does not apply, takes it off, and checks out at the discounted total. The shop
// is set up through the app's server functions.

async function call(request: APIRequestContext, path: string, init: { form?: Record<string, string>; data?: unknown }) {
  const res = await request.post(path, { ...init, headers: { Accept: 'application/json', Origin: appOrigin() } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy();
  return res.json();
}

test('a visitor without JavaScript applies a discount code, removes it, and pays the discounted total', async ({ page }) => {
  const request = page.request;
  const email = uniqueEmail('nojs-codes');
  await call(request, '/api/signup', {
    form: { full_name: 'Pat Owner', org_name: `NoJS Codes ${randomUUID().slice(0, 6)}`, email, password: 'correct-horse-7' },
  });
  await page.goto(linkIn(await waitForMail(email, /Confirm your email address/), '/verify-email/'));
  await expect(page.getByRole('heading', { name: 'Your email address is verified' })).toBeVisible();
  await call(request, '/api/billing/test_change', { data: { plan: 'growth', cycle: 'monthly', keep: [] } });
  const [site] = await call(request, '/api/websites', { form: {} });
  await call(request, '/api/commerce/product/create', {
    data: {
      website_id: site.id,
      product: { title: 'Linen Apron', status: 'active', currency: 'EUR', variants: [{ price: '30', stock: '5', track_inventory: true }] },
    },
  });
  const promotion = (code: string, extra: Record<string, string>) => ({
    website_id: site.id,
    promotion: { code, name: code, kind: 'fixed', value: '5', currency: 'EUR', ...extra },
  });
  await call(request, '/api/commerce/promotion/create', { data: promotion('FIVE', {}) });
  await call(request, '/api/commerce/promotion/create', { data: promotion('BIGSPEND', { minimum_order: '100' }) });
  await call(request, '/api/websites/publish', { data: { website_id: site.id } });

  await page.goto(siteUrl(site.subdomain, '/products/linen-apron'));
  await page.getByRole('button', { name: 'Add Linen Apron to cart' }).click();
  await expect(page.getByText('Subtotal: €30.00')).toBeVisible();

  // A code whose minimum is not reached is kept, with the reason, and can be taken off.
  await page.getByLabel('Discount code').fill('bigspend');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByRole('status')).toHaveText('Code BIGSPEND does not apply: This code needs an order of at least €100.00.');
  // Checking out with it is refused rather than silently dropping it.
  await page.getByLabel('Email for your receipt').fill('sam@example.com');
  await page.getByRole('button', { name: 'Check out' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The code BIGSPEND cannot be used: This code needs an order of at least €100.00. Remove it to check out without it.',
  );
  await page.getByRole('button', { name: 'Remove code BIGSPEND' }).click();
  await expect(page.getByRole('status')).toHaveCount(0);

  await page.getByLabel('Discount code').fill('FIVE');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByText('Discount (FIVE): −€5.00')).toBeVisible();
  await expect(page.getByText('Total: €25.00')).toBeVisible();
  await page.getByLabel('Email for your receipt').fill('sam@example.com');
  await page.getByRole('button', { name: 'Check out' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+: payment$/ })).toBeVisible();
  await expect(page.getByText('Total: €25.00')).toBeVisible();
  await page.getByRole('button', { name: 'Pay (test mode)' }).click();
  await expect(page.getByRole('heading', { name: /is paid$/ })).toBeVisible();

  const orders = await call(request, '/api/commerce/orders', { data: { website_id: site.id } });
  expect(orders.orders[0]).toMatchObject({ status: 'paid', total_cents: 2500, discount_cents: 500, promotion_code: 'FIVE' });
});
