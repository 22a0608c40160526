// The log-in form gives one answer for an unknown email and a wrong password, says
// when to try again once an account is throttled, and settings can end every session.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin, uniqueEmail } from './helpers';

const PASSWORD = 'correct-horse-7';
const BAD_CREDENTIALS = 'That email and password do not match an account. Try again.';

/** A fresh account created through the API (its own request context, so no browser session). */
async function account(request: APIRequestContext, prefix: string): Promise<string> {
  const email = uniqueEmail(prefix);
  const res = await request.post('/api/signup', {
    form: { full_name: 'Pat Owner', org_name: `Throttle ${randomUUID().slice(0, 6)}`, email, password: PASSWORD },
    headers: { Accept: 'application/json', Origin: appOrigin() },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  return email;
}

test('an unknown email and a wrong password get the same message', async ({ page, request }) => {
  const email = await account(request, 'same-message');
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(uniqueEmail('nobody-here'));
  await page.getByLabel('Password').fill('not-the-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(BAD_CREDENTIALS)).toBeVisible();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not-the-password-2');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(BAD_CREDENTIALS)).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('after ten wrong passwords the form says when to try again, even for the right one', async ({ page, request }) => {
  const email = await account(request, 'throttled');
  for (let i = 0; i < 10; i++) {
    const res = await request.post('/api/login', {
      form: { email, password: `wrong-horse-${i}` },
      headers: { Accept: 'application/json', Origin: appOrigin() },
    });
    expect(res.ok()).toBeFalsy();
  }
  const over = await request.post('/api/login', { form: { email, password: PASSWORD }, headers: { Accept: 'application/json', Origin: appOrigin() } });
  expect(over.status()).toBe(429);
  expect(Number(over.headers()['retry-after'])).toBeGreaterThan(0);

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Too many attempts' })).toHaveText(
    /^Too many attempts\. Try again in 1[45] minutes\.$/,
  );
  await expect(page).toHaveURL(/\/login$/);
});

test('log out everywhere ends the sessions of every browser', async ({ page, browser }) => {
  await signUp(page, 'Everywhere');
  const settings = await page.request.post('/api/settings/get', { data: {}, headers: { Accept: 'application/json', Origin: appOrigin() } });
  expect(settings.ok()).toBeTruthy();
  const { email } = await settings.json();

  // A second browser signed in as the same member.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto('/login');
  await hydrated(second);
  await second.getByLabel('Email').fill(email);
  await second.getByLabel('Password').fill(PASSWORD);
  await second.getByRole('button', { name: 'Log in' }).click();
  await expect(second.getByRole('heading', { name: 'Your websites' })).toBeVisible();

  await page.goto('/settings');
  await hydrated(page);
  await page.getByRole('button', { name: 'Log out everywhere' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await second.goto('/dashboard');
  await expect(second).toHaveURL(/\/login$/);
  await other.close();
});
