import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { siteUrl, uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

async function upgradeToGrowth(page: Page) {
  await page.goto('/billing');
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByRole('region', { name: 'Current plan' }).getByRole('definition').first()).toHaveText('Growth');
}

/** YYYY-MM-DD of `at` in `timeZone`. */
function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

async function openSettings(page: Page) {
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Organisation', level: 2, exact: true })).toBeVisible();
  await hydrated(page);
}

test('an owner sets the organisation timezone and sees the analytics day of a visit move; the checklist ticks', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Zone');

  // A new organisation gets the first-run checklist.
  const checklist = page.getByRole('region', { name: 'Get started' });
  await expect(checklist).toContainText('0 of 4 done');
  await expect(checklist.getByRole('listitem').filter({ hasText: 'Publish your site' })).toContainText('To do');

  await upgradeToGrowth(page);
  await page.goto('/dashboard');
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
  await page.goto('/dashboard');
  await expect(checklist.getByRole('listitem').filter({ hasText: 'Publish your site' })).toContainText('Done');
  await expect(checklist).toContainText('1 of 4 done');

  // A visitor reads the home page now.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const beacon = visitor.waitForResponse((r) => r.url().endsWith('/_sp/event'));
  const visitedAt = new Date();
  await visitor.goto(siteUrl(subdomain));
  expect((await beacon).status()).toBe(204);
  await visitorContext.close();

  // A zone whose date differs from UTC's right now: 14 hours ahead from 10:00 UTC on, 11
  // hours behind before 11:00 UTC.
  const zone = visitedAt.getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
  const utcDay = dayIn(visitedAt, 'UTC');
  const localDay = dayIn(visitedAt, zone);
  expect(localDay).not.toBe(utcDay);

  // In UTC (the default) the visit counts on the UTC day.
  // The daily table sits in a closed "Daily numbers" disclosure under the chart.
  const daily = page.getByRole('table', { name: 'Daily numbers' });
  const openDaily = () => page.getByText('Daily numbers', { exact: true }).click();
  await expect(async () => {
    await page.goto('/analytics?days=7');
    await openDaily();
    await expect(daily.getByRole('row', { name: `${utcDay} 1 1` })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });

  // The owner sets the timezone; a name that is none is refused first.
  await openSettings(page);
  const tz = page.getByLabel('Timezone');
  await expect(tz).toHaveValue('UTC');
  await tz.fill('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save organisation' }).click();
  await expect(page.getByText('"Mars/Olympus_Mons" is not a timezone we know.', { exact: false })).toBeVisible();
  await tz.fill(zone);
  await page.getByRole('button', { name: 'Save organisation' }).click();
  await expect(page.getByText('Organisation saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Timezone')).toHaveValue(zone);

  // The same visit now counts on the organisation's local day.
  await page.goto('/analytics?days=7');
  await openDaily();
  await expect(daily.getByRole('row', { name: `${localDay} 1 1` })).toBeVisible();
  await expect(daily.getByRole('row', { name: `${utcDay} 0 0` })).toHaveCount(localDay < utcDay ? 0 : 1);

  // The audit log shows its times in that zone, with the change recorded.
  await page.goto('/audit');
  await expect(page.getByText(`times in ${zone}`)).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'organisation.updated' })).toContainText(zone);
});

test('an owner transfers ownership to an admin, who confirms from the emailed link', async ({ page, browser, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp(page, 'Handover');
  await upgradeToGrowth(page);

  // Invite an admin, who joins.
  const adminEmail = uniqueEmail('admin');
  await page.goto('/team');
  await hydrated(page);
  await page.getByLabel('Email address').fill(adminEmail);
  await page.getByLabel('Role', { exact: true }).selectOption('admin');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${adminEmail}.`)).toBeVisible();
  const invite = await page.getByRole('textbox', { name: `Invite link for ${adminEmail}` }).inputValue();
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.goto(invite);
  await hydrated(admin);
  await admin.getByLabel('Your name').fill('Ada Admin');
  await admin.getByLabel('Password').fill('admin-horse-42');
  await admin.getByRole('button', { name: 'Join the team' }).click();
  await expect(admin.getByRole('heading', { name: 'Your websites' })).toBeVisible();

  // The owner picks the admin and sends the request.
  await openSettings(page);
  await page.getByLabel('New owner').selectOption({ label: `Ada Admin (${adminEmail})` });
  await page.getByRole('button', { name: 'Send transfer request' }).click();
  await expect(page.getByText('Transfer requested')).toBeVisible();
  await expect(page.getByText(`Waiting for ${adminEmail} to confirm`)).toBeVisible();

  // The admin follows the emailed link and confirms.
  const mail = await waitForMail(adminEmail, /Become the owner of/);
  await admin.goto(linkIn(mail, '/settings?transfer='));
  await expect(admin.getByRole('heading', { name: 'Become the owner', level: 2 })).toBeVisible();
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Become the owner' }).click();
  await expect(admin.getByText('You are now the owner of this organisation.')).toBeVisible();

  // The new owner can hand it on; the former owner is an admin now and cannot.
  await openSettings(admin);
  await expect(admin.getByRole('group', { name: 'Transfer ownership' })).toBeVisible();
  await openSettings(page);
  await expect(page.getByRole('button', { name: 'Save organisation' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Transfer ownership' })).toHaveCount(0);
  await page.goto('/team');
  await expect(page.getByRole('row').filter({ hasText: adminEmail })).toContainText('Owner');
  await adminContext.close();
});
