import { expect, test } from '@playwright/test';
import { hydrated } from './builder-helpers';
import { uniqueEmail } from './helpers';

// A member (not the owner) deletes their own account from Settings (issue 23 part 5): they are
// signed out and cannot sign in again; the owner's audit log shows their actions by a
// "deleted user". The team demo organisation (server/src/seed.rs) can invite people.

test('a member deletes their own account; the audit log shows a deleted user', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const email = uniqueEmail('leaver');

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('team@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await page.goto('/team');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const link = await page.getByRole('textbox', { name: `Invite link for ${email}` }).inputValue();

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(link);
  await hydrated(member);
  await member.getByLabel('Your name').fill('Lee Leaver');
  await member.getByLabel('Password').fill('leaver-horse-42');
  await member.getByRole('button', { name: 'Join the team' }).click();
  await expect(member.getByRole('heading', { name: 'Your websites' })).toBeVisible();

  await member.goto('/settings');
  await hydrated(member);
  const card = member.getByRole('region', { name: 'Delete my account' });
  // A wrong password is refused under the field, and nothing happens.
  await card.getByLabel('Your password').fill('not-my-password');
  await card.getByRole('button', { name: 'Delete my account' }).click();
  await expect(card.getByText('That password is not right.')).toBeVisible();
  await card.getByLabel('Your password').fill('leaver-horse-42');
  await card.getByRole('button', { name: 'Delete my account' }).click();
  await expect(member).toHaveURL(/\/login/);

  // The account is gone: signing in again fails.
  await hydrated(member);
  await member.getByLabel('Email').fill(email);
  await member.getByLabel('Password').fill('leaver-horse-42');
  await member.getByRole('button', { name: 'Log in' }).click();
  await expect(member.getByText('That email and password do not match an account.')).toBeVisible();
  await memberContext.close();

  // The owner does not get the card; the audit log names the leaver "deleted user".
  await page.goto('/settings');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Delete my account' })).toHaveCount(0);
  await page.goto('/audit');
  await hydrated(page);
  await page.getByLabel('Action').selectOption('user.deleted');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const row = page.getByRole('table', { name: 'Audit entries' }).getByRole('row').filter({ hasText: 'user.deleted' }).first();
  await expect(row).toContainText('deleted user');
});
