import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { uniqueEmail } from './helpers';
import { linkIn, mailsTo, waitForMail } from './mail';

// Emails the e2e server really delivers over SMTP to the local sink (scripts/test.sh), read
// from the sink's folder and followed like a person would.

async function logInAsTeamOwner(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('team@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
}

test('an invited teammate joins by following the link in the delivered email', async ({ page, browser }) => {
  const email = uniqueEmail('mailed');
  await logInAsTeamOwner(page);
  await page.goto('/team');
  await hydrated(page);
  await expect(page.getByRole('note')).toContainText('Emails are delivered by the mail server');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`)).toBeVisible();

  const mail = await waitForMail(email, /You're invited to join Team Demo on SitePilot/);
  expect(mail.headers.from[0]).toBe('SitePilot <no-reply@sitepilot.test>');
  expect(mail.headers.to[0]).toBe(email);
  expect(mail.headers['content-type'][0]).toMatch(/^multipart\/alternative/);
  expect(mail.text).toContain('as viewer');
  const link = linkIn(mail, '/invite/');

  // The team page shows the message as sent.
  await page.reload();
  const item = page.getByRole('listitem').filter({ hasText: `To ${email}` });
  await expect(item).toContainText('sent');

  const invited = await (await browser.newContext()).newPage();
  await invited.goto(link);
  await expect(invited.getByRole('heading', { name: 'Join Team Demo on SitePilot' })).toBeVisible();
  await hydrated(invited);
  await invited.getByLabel('Your name').fill('Mia Mailed');
  await invited.getByLabel('Password').fill('mailed-horse-42');
  await invited.getByRole('button', { name: 'Join the team' }).click();
  await expect(invited.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  expect(mailsTo(email)).toHaveLength(1);
});

test('a forgotten password is reset from the emailed link, and every old session ends', async ({ page, browser }) => {
  const email = uniqueEmail('forgot');
  await signUp(page, 'Forgot', { email, verify: false });

  // In another browser: "Forgot password?" on the log-in page.
  const other = await (await browser.newContext()).newPage();
  await other.goto('/login');
  await hydrated(other);
  await other.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(other.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await hydrated(other);
  await other.getByLabel('Email').fill(email);
  await other.getByRole('button', { name: 'Send the reset link' }).click();
  const sent = 'If an account uses this email address, we have sent it a link to choose a new password.';
  await expect(other.getByRole('status')).toContainText(sent);

  const mail = await waitForMail(email, /Reset your SitePilot password/);
  expect(mail.text).toContain('It works once, for one hour.');
  const link = linkIn(mail, '/reset-password/');
  await other.goto(link);
  await expect(other.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await hydrated(other);
  await other.getByLabel('New password').fill('reset-horse-2024');
  await other.getByRole('button', { name: 'Set the new password' }).click();
  await expect(other.getByRole('status')).toContainText('Your password was changed');

  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill('reset-horse-2024');
  await other.getByRole('button', { name: 'Log in' }).click();
  await expect(other.getByRole('heading', { name: 'Your websites' })).toBeVisible();

  // The session opened at sign-up has ended.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Log in to SitePilot' })).toBeVisible();

  // The link worked once.
  await other.goto(link);
  await expect(other.getByRole('heading', { name: 'This reset link has already been used' })).toBeVisible();
});

test('an unknown email gets the same answer and no email', async ({ page }) => {
  const email = uniqueEmail('unknown');
  await page.goto('/forgot-password');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the reset link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses this email address, we have sent it a link');
  expect(mailsTo(email)).toHaveLength(0);
});

test('publishing waits for a verified email; the verification email can be sent again', async ({ page }) => {
  const email = uniqueEmail('unverified');
  await signUp(page, 'Verify', { email, verify: false });
  await waitForMail(email, /Confirm your email address/);
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not published' })).toContainText(
    `Confirm your email address ${email} before publishing`,
  );
  await page.getByRole('button', { name: 'Send the verification email again' }).click();
  await expect(page.getByText('Sent. Follow the link in the email, then publish again.')).toBeVisible();

  const mail = await waitForMail(email, /Confirm your email address/, 2);
  await page.goto(linkIn(mail, '/verify-email/'));
  await expect(page.getByRole('heading', { name: 'Your email address is verified' })).toBeVisible();

  await page.goto('/dashboard');
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
});
