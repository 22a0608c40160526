// Preferences that do something (issue 23 part 3), as a person uses them: the autosave interval
// drives the builder's version timer, the layout grid shows on the canvas, and the default
// website opens in the builder right after logging in.
import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { uniqueEmail } from './helpers';

// The form is `novalidate`, so an out-of-range number reaches the server and its message shows
// under the field (the browser's own bubble would otherwise stop the submit).
test('autosave every 10 s, a layout grid and a default website change what the builder does', async ({ page }) => {
  test.setTimeout(90_000);
  await page.clock.install();
  const email = uniqueEmail('prefs-effects');
  await signUp(page, 'Effects', { email });

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await hydrated(page);
  // Each preference says what it does.
  await expect(page.getByText('While you edit, the builder records a version of the page this often')).toBeVisible();
  await expect(page.getByText('Draws a 12-column grid behind the blocks while you edit')).toBeVisible();

  // Out of bounds is refused under the field.
  await page.getByLabel('Autosave a version every (seconds)').fill('5');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.locator('#settings-autosave-error')).toHaveText('Choose between 10 and 600 seconds.');

  await page.getByLabel('Autosave a version every (seconds)').fill('10');
  await page.getByLabel('Show a layout grid on the builder canvas').check();
  const site = page.getByLabel('Open after log-in');
  await site.selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Preferences saved.')).toBeVisible();

  // Log out and in again: the chosen website's home page opens in the builder.
  await page.context().clearCookies();
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct-horse-7');
  await page.getByRole('button', { name: 'Log in' }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await expect(page).toHaveURL(/\/builder\//);
  await hydrated(page);
  await expect(canvas.getByRole('list').first()).toHaveAttribute('data-grid', 'on');

  // A change, then 11 seconds: the 10-second autosave has recorded a version (30 s is the default).
  await page.getByRole('listitem', { name: 'Hero block' }).click();
  await page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true }).fill('Ten-second save');
  await page.clock.fastForward(1_000);
  await expect(page.getByRole('status')).toHaveText('Saved');
  await expect(page.getByText('Version saved automatically')).toHaveCount(0);
  await page.clock.fastForward(11_000);
  await expect(page.getByText('Version saved automatically')).toBeVisible();
});
