import { expect, test, type Page } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin } from './helpers';

// Custom domains against the real local DNS server scripts/test.sh starts (zone `test.`, empty:
// every name under it is NXDOMAIN), which the e2e server asks (SITEPILOT_DNS_SERVER).

/** From the dashboard, opens the website's custom domain page and waits for it to hydrate. */
async function openDomainPage(page: Page) {
  await page.getByRole('link', { name: /^Custom domain of / }).click();
  await expect(page.getByRole('heading', { name: 'Custom domain', level: 1 })).toBeVisible();
  await hydrated(page);
}

function tag(): string {
  return Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
}

test('an owner connects a domain, sees the DNS records to create, and Check now says what is missing', async ({ page }) => {
  const subdomain = await signUp(page, 'Domains');
  // Growth allows custom domains (billing test mode, as the billing page's button does it).
  const upgrade = await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  expect(upgrade.ok()).toBeTruthy();
  await openDomainPage(page);

  const domain = `www.bakery-${tag()}.test`;
  await page.getByLabel('Domain', { exact: true }).fill(`WWW.${domain.slice(4).toUpperCase()}`);
  await page.getByRole('button', { name: 'Connect domain' }).click();

  // Stored lower case; pending, with the CNAME and the TXT record to create.
  await expect(page.getByRole('heading', { name: domain, level: 2 })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Pending: waiting for the DNS records below.');
  const records = page.getByRole('table', { name: 'DNS records to create' });
  const cname = records.getByRole('row').filter({ hasText: 'CNAME' });
  await expect(cname).toContainText(domain);
  await expect(cname).toContainText(`${subdomain}.localhost`);
  const txt = records.getByRole('row').filter({ hasText: 'TXT' });
  await expect(txt).toContainText(`_sitepilot-verify.${domain}`);
  const token = (await txt.getByRole('cell').nth(2).textContent())?.trim() ?? '';
  expect(token).toMatch(/^[0-9a-f]{32}$/);

  // Nothing exists in DNS: the check says so in words, and names the TXT value to create.
  await page.getByRole('button', { name: 'Check now' }).click();
  const found = page.getByRole('region', { name: 'What the last check found' });
  await expect(found).toContainText(`NXDOMAIN: ${domain} does not exist in DNS yet.`);
  await expect(found).toContainText(`Create a CNAME record named ${domain} pointing to ${subdomain}.localhost.`);
  await expect(found).toContainText(`The TXT record is missing: create a TXT record named _sitepilot-verify.${domain} with the value ${token}.`);
  await expect(page.getByRole('status')).toHaveText('Pending: waiting for the DNS records below.');

  // Removing it brings the form back.
  await page.getByRole('button', { name: 'Remove domain' }).click();
  await expect(page.getByRole('button', { name: 'Connect domain' })).toBeVisible();
  await expect(page.getByRole('heading', { name: domain })).toHaveCount(0);
});

test('an address that is not a domain is refused under the field', async ({ page }) => {
  await signUp(page, 'Domainform');
  await page.request.post('/api/billing/test_change', {
    headers: { Origin: appOrigin() },
    data: { plan: 'growth', cycle: 'monthly', keep: [] },
  });
  await openDomainPage(page);
  await page.getByLabel('Domain', { exact: true }).fill('https://www.mybakery.test/menu');
  await page.getByRole('button', { name: 'Connect domain' }).click();
  await expect(page.getByLabel('Domain', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#custom-domain-error')).toHaveText(
    'Enter just the domain, such as www.mybakery.com, without http:// or https://.',
  );
});

test('on a plan without custom domains the owner is sent to upgrade', async ({ page }) => {
  await signUp(page, 'Domainless');
  await openDomainPage(page);
  await page.getByLabel('Domain', { exact: true }).fill(`www.shop-${tag()}.test`);
  await page.getByRole('button', { name: 'Connect domain' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Custom domains are available on the Growth plan. Upgrade to use them.');
  await expect(alert.getByRole('link', { name: 'Upgrade to Growth on the Billing page' })).toHaveAttribute('href', '/billing');
  await expect(page.getByRole('heading', { level: 2, name: /\.test$/ })).toHaveCount(0);
});
