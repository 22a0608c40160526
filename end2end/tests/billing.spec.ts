import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

/** From the dashboard header, opens Billing and waits for it to hydrate. */
async function openBilling(page: Page) {
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
}

async function createWebsite(page: Page, name: string, subdomain: string) {
  const form = page.getByRole('region', { name: 'New website' });
  await form.getByLabel('Website name', { exact: true }).fill(name);
  await form.getByLabel('Address (subdomain)').fill(subdomain);
  await page.getByRole('button', { name: 'Create website' }).click();
}

test('an owner upgrades in test mode, adds a website, then downgrades keeping the site they choose', async ({ page }) => {
  test.setTimeout(90_000);
  const tag = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
  await signUp(page, 'Billing');
  const firstSite = page.getByRole('heading', { level: 2, name: /^Billing / });
  await expect(firstSite).toBeVisible();
  const firstName = (await firstSite.textContent()) ?? '';

  // Starter and its limits.
  await openBilling(page);
  await expect(page.getByText('Test mode — no real payment')).toBeVisible();
  const current = page.getByRole('region', { name: 'Current plan' });
  await expect(current.getByRole('definition').first()).toHaveText('Starter');
  await expect(page.getByText('Websites: 1 of 1')).toBeVisible();
  const starter = page.getByRole('region', { name: 'Starter' });
  await expect(starter.getByText('Your plan')).toBeVisible();
  await expect(starter.getByRole('list', { name: 'Starter includes' })).toContainText('1 website');
  await expect(page.getByRole('region', { name: 'Growth' }).getByText('Most Popular')).toBeVisible();

  // A second website is over the Starter limit: the error names it and links to billing.
  await page.getByRole('link', { name: 'Your websites' }).click();
  await hydrated(page);
  await createWebsite(page, 'Second Shop', `second-${tag}`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Your plan allows 1 website on the Starter plan');
  await expect(alert.getByRole('link', { name: 'Upgrade to Growth on the Billing page' })).toHaveAttribute('href', '/billing');
  await expect(page.getByRole('heading', { level: 2, name: 'Second Shop' })).toHaveCount(0);

  // Upgrade to Growth in test mode.
  await alert.getByRole('link', { name: 'Upgrade to Growth on the Billing page' }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(current.getByRole('definition').first()).toHaveText('Growth');
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await expect(current).toContainText('active');

  // The new limit applies at once.
  await page.getByRole('link', { name: 'Your websites' }).click();
  await hydrated(page);
  await createWebsite(page, 'Second Shop', `second-${tag}`);
  await expect(page.getByRole('heading', { level: 2, name: 'Second Shop' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Downgrade to Starter, choosing to keep the first website.
  await openBilling(page);
  await expect(page.getByText('Websites: 2 of 3')).toBeVisible();
  await page.getByRole('checkbox', { name: `Keep ${firstName}` }).check();
  await page.getByRole('button', { name: 'Downgrade to Starter' }).click();
  await expect(current.getByRole('definition').first()).toHaveText('Starter');
  const sites = page.getByRole('region', { name: 'Your websites' });
  await expect(sites.getByRole('listitem').filter({ hasText: 'Second Shop' })).toContainText('archived');
  await expect(sites.getByRole('listitem').filter({ hasText: firstName })).toContainText('draft');
  await expect(page.getByText('Websites: 1 of 1')).toBeVisible();

  // The dashboard shows only the kept website; the archived one is still listed on Billing after a reload.
  await page.getByRole('link', { name: 'Your websites' }).click();
  await expect(page.getByRole('heading', { level: 2, name: firstName })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Second Shop' })).toHaveCount(0);
  await page.goto('/billing');
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Your websites' }).getByRole('listitem').filter({ hasText: 'Second Shop' }))
    .toContainText('archived');

  // Restoring it is not automatic, and on Starter there is no room: the limit says so.
  await page.getByRole('button', { name: 'Restore Second Shop' }).click();
  await expect(page.getByRole('alert')).toContainText('Your plan allows 1 website on the Starter plan');
  await expect(page.getByRole('alert').getByRole('link', { name: 'Upgrade to Growth on the Billing page' })).toBeVisible();
});

test('a viewer cannot open billing', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('viewer@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(/Only the account owner can see and change billing/);
  await expect(page.getByRole('region', { name: 'Current plan' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Upgrade/ })).toHaveCount(0);
});

test('in the builder, a plan limit shows the upgrade alert with its link to billing', async ({ page }) => {
  await signUp(page, 'Upsell');
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Add Custom HTML', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Custom HTML blocks are available on the Pro plan');
  const alert = page.getByRole('alert').filter({ hasText: 'Custom HTML blocks are available on the Pro plan' });
  const upgrade = alert.getByRole('link', { name: 'Upgrade to Pro on the Billing page' });
  await expect(upgrade).toHaveAttribute('href', '/billing');
  await upgrade.click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pro' }).getByRole('list', { name: 'Pro includes' })).toContainText('Custom HTML blocks');
});

test('after a failed payment the owner sees the past-due banner across the app, and paying clears it', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, 'Overdue');
  await openBilling(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  const current = page.getByRole('region', { name: 'Current plan' });
  await expect(current.getByRole('definition').first()).toHaveText('Growth');

  // Test mode sends Stripe's invoice.payment_failed through the signed webhook.
  await current.getByRole('button', { name: 'Simulate a failed payment' }).click();
  await expect(current).toContainText('past_due');
  await expect(page.getByRole('alert').filter({ hasText: 'Your last payment failed' })).toBeVisible();
  await expect(current.getByRole('definition').first()).toHaveText('Growth');

  // The builder shows it too, with the way to fix it; the features keep working.
  await page.getByRole('link', { name: 'Your websites' }).click();
  await hydrated(page);
  await openHomeInBuilder(page);
  const banner = page.getByRole('alert').filter({ hasText: 'Your last payment failed' });
  await expect(banner).toBeVisible();
  await expect(page.getByRole('main', { name: 'Canvas' }).getByRole('listitem', { name: / block$/ })).toHaveCount(5);
  const fix = banner.getByRole('link', { name: 'Update your payment on the Billing page' });
  await expect(fix).toHaveAttribute('href', '/billing');

  // Paying again (invoice.payment_succeeded) makes it active; the banner is gone everywhere.
  await fix.click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await current.getByRole('button', { name: 'Simulate a successful payment' }).click();
  await expect(current).toContainText('active');
  await expect(page.getByRole('alert').filter({ hasText: 'Your last payment failed' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Your websites' }).click();
  await hydrated(page);
  await openHomeInBuilder(page);
  await expect(page.getByRole('alert').filter({ hasText: 'Your last payment failed' })).toHaveCount(0);
});

test('the owner reads the invoice history: the upgrade is billed, a failed payment is due until the retry pays it', async ({ page }) => {
  await signUp(page, 'Invoices');
  await openBilling(page);
  const history = page.getByRole('region', { name: 'Invoices' });
  await expect(history).toContainText('No invoices yet.');

  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  const table = history.getByRole('table', { name: 'Invoices' });
  const first = table.getByRole('row').filter({ hasText: 'TEST-0001' });
  await expect(first).toContainText('$19.00');
  await expect(first.getByRole('cell').nth(4)).toHaveText('Paid');
  await expect(history).toContainText('Test mode: these invoices are simulated');

  const current = page.getByRole('region', { name: 'Current plan' });
  await current.getByRole('button', { name: 'Simulate a failed payment' }).click();
  const second = table.getByRole('row').filter({ hasText: 'TEST-0002' });
  await expect(second.getByRole('cell').nth(4)).toHaveText('Due');
  // Newest first: the due invoice heads the list.
  await expect(table.getByRole('row').nth(1)).toContainText('TEST-0002');

  await current.getByRole('button', { name: 'Simulate a successful payment' }).click();
  await expect(second.getByRole('cell').nth(4)).toHaveText('Paid');
  await expect(table.getByRole('row')).toHaveCount(3);
});
