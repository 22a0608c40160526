import { expect, test } from '@playwright/test';
import { hydrated } from './builder-helpers';

// The demo seed adds a viewer to the demo organisation (server/src/seed.rs).
test('a viewer opens the builder read-only and cannot change anything', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('viewer@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await hydrated(page);

  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const names = () => canvas.getByRole('listitem', { name: / block$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  await expect(page.getByText('View only: your role cannot change this page.')).toBeVisible();
  await expect(page.getByText('Your role can look at blocks but not add them.')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Add / })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Publish' })).toHaveCount(0);
  const before = await names();

  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  const heading = inspector.getByLabel('Heading', { exact: true });
  const original = await heading.inputValue();
  await expect(heading).not.toBeEditable();
  await expect(inspector.getByRole('button', { name: 'Delete block' })).toHaveCount(0);
  await expect(inspector.getByLabel('Alignment')).toBeDisabled();

  // Keyboard moves and undo do nothing either.
  await hero.focus();
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Control+z');
  expect(await names()).toEqual(before);
  await expect(page.getByRole('status')).toHaveText('Saved');

  await page.reload();
  await hydrated(page);
  expect(await names()).toEqual(before);
  await hero.click();
  await expect(inspector.getByLabel('Heading', { exact: true })).toHaveValue(original);
});
