import { expect, test } from '@playwright/test';
import { signUp } from './builder-helpers';
import { uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

// Password reset without JavaScript: plain form posts and server-rendered pages all the way.
// The account is created in its own JS-enabled context (sign-up is not the subject here).

test('a password is reset without JavaScript', async ({ browser, page }) => {
  const email = uniqueEmail('nojs-reset');
  const owner = await (await browser.newContext({ javaScriptEnabled: true })).newPage();
  await signUp(owner, 'NoJs Reset', { email, verify: false });

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the reset link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses this email address');

  const link = linkIn(await waitForMail(email, /Reset your SitePilot password/), '/reset-password/');
  await page.goto(link);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('Use at least 10 characters for your password.')).toBeVisible();

  await page.goto(link);
  await page.getByLabel('New password').fill('nojs-reset-horse-7');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password was changed');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('nojs-reset-horse-7');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
});
