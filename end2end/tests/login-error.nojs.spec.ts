import { expect, test } from '@playwright/test';

// Without JavaScript the log-in form is a plain form post; a wrong password comes back as a
// redirect to the form (the error now has its own status, 400, but the form post is still
// answered with the redirect), and the form shows the message.
test('without JavaScript a wrong password shows its message on the log-in form', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('demo@sitepilot.test');
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('That email and password do not match an account. Try again.')).toBeVisible();
});
