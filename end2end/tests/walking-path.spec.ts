import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { siteUrl, uniqueEmail } from './helpers';

test('a new user signs up, edits the hero, publishes and sees it on the visitor site', async ({ page, context }) => {
  const subdomain = await signUp(page, 'Walk');
  await expect(page.getByText(subdomain)).toBeVisible();
  await openHomeInBuilder(page);

  await page.getByRole('listitem', { name: 'Hero block' }).click();
  const heading = page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true });
  await heading.fill('Fresh bread every morning');
  await expect(page.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 }))
    .toHaveText('Fresh bread every morning');
  await expect(page.getByRole('status')).toHaveText('Saved');

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  const visitor = await context.newPage();
  const response = await visitor.goto(siteUrl(subdomain));
  expect(response?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Fresh bread every morning');

  // The edit survives a reload of the builder.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 }))
    .toHaveText('Fresh bread every morning');
  await page.getByRole('listitem', { name: 'Hero block' }).click();
  await expect(page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true }))
    .toHaveValue('Fresh bread every morning');
});

test('blocks can be added, reordered by drag and drop or keyboard, and deleted', async ({ page }) => {
  // Tall enough that the whole page fits in the canvas, so dragging needs no scrolling.
  await page.setViewportSize({ width: 1400, height: 2400 });
  await signUp(page, 'Drag');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  // Blocks are the canvas list items named "… block"; lists inside blocks have unnamed items.
  const names = () => canvas.getByRole('listitem', { name: / block$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);

  // Drag the footer onto the hero: it takes the hero's place.
  await canvas.getByRole('listitem', { name: 'Footer block' }).dragTo(canvas.getByRole('listitem', { name: 'Hero block' }));
  await expect.poll(names).toEqual(['Navbar block', 'Footer block', 'Hero block', 'Features block', 'Gallery block']);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // Keyboard users move a focused block with Alt+Arrow keys.
  await canvas.getByRole('listitem', { name: 'Footer block' }).focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Footer block', 'Features block', 'Gallery block']);
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(names).toEqual(['Navbar block', 'Footer block', 'Hero block', 'Features block', 'Gallery block']);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // Add a call to action after the selected block, then delete it again.
  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  await page.getByRole('button', { name: 'Add Call to action' }).click();
  await expect.poll(names).toEqual(['Navbar block', 'Footer block', 'Hero block', 'Call to action block', 'Features block', 'Gallery block']);
  await expect(page.getByRole('status')).toHaveText('Saved');

  await page.reload();
  await hydrated(page);
  await expect.poll(names).toEqual(['Navbar block', 'Footer block', 'Hero block', 'Call to action block', 'Features block', 'Gallery block']);

  await canvas.getByRole('listitem', { name: 'Call to action block' }).click();
  await page.getByRole('button', { name: 'Delete block' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved');
  await page.reload();
  await hydrated(page);
  await expect.poll(names).toEqual(['Navbar block', 'Footer block', 'Hero block', 'Features block', 'Gallery block']);
});

test('the 30-second autosave records a version once the page changed', async ({ page }) => {
  await page.clock.install();
  await signUp(page, 'Clock');
  await openHomeInBuilder(page);
  await page.clock.fastForward(31_000);
  await expect(page.getByText('Version saved automatically')).toHaveCount(0);

  await page.getByRole('listitem', { name: 'Hero block' }).click();
  await page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true }).fill('Timed save');
  await page.clock.fastForward(1_000);
  await expect(page.getByRole('status')).toHaveText('Saved');
  await page.clock.fastForward(30_000);
  await expect(page.getByText('Version saved automatically')).toBeVisible();

  // The versions panel lists it.
  await page.getByRole('tab', { name: 'Versions' }).click();
  const autosaved = page.getByRole('list', { name: 'Saved versions' }).getByRole('listitem').filter({ hasText: 'Autosave' });
  await expect(autosaved).toHaveCount(1);
  await expect(autosaved).toContainText('Pat Owner');
});

test('sign-up and log-in explain what is wrong', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Your name').fill('Weak Pass');
  await page.getByLabel('Organisation name').fill('Weak Pass Co');
  await page.getByLabel('Email').fill(uniqueEmail('weak'));
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Use at least 10 characters for your password.')).toBeVisible();

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('demo@sitepilot.test');
  await page.getByLabel('Password').fill('not-the-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('That email and password do not match an account. Try again.')).toBeVisible();

  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('That email and password do not match an account. Try again.')).toBeVisible();

  await page.getByLabel('Email').fill('demo@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to SitePilot' })).toBeVisible();
});
