import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

// The shop's "Payments" card on the billing page (issue 22, Stripe Connect Express). The e2e
// server runs without STRIPE_SECRET_KEY (local test mode), so the card must say plainly that
// live payments need Stripe keys on the server, that test mode works, and offer no Connect button.
test('the Payments card explains that live payments need Stripe keys on the server', async ({ page }) => {
  await signUp(page, 'Payments');
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);

  const card = page.getByRole('region', { name: 'Payments' });
  await expect(card).toBeVisible();
  await expect(card.getByRole('status')).toHaveText(
    /Live payments need Stripe keys on the server \(STRIPE_SECRET_KEY\)/,
  );
  await expect(card.getByText('Test mode works')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Connect Stripe' })).toHaveCount(0);
});
