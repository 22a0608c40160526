import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('lists in the inspector: add, rename, reorder and remove features, kept after a reload', async ({ page }) => {
  await signUp(page, 'Lists');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const features = canvas.getByRole('listitem', { name: 'Features block' });
  await features.click();

  const list = inspector.getByRole('group', { name: 'Features', exact: true });
  await list.getByRole('button', { name: 'Add feature' }).click();
  const fourth = list.getByRole('group', { name: /^Feature 4/ });
  await fourth.getByLabel('Title').fill('Free delivery');
  await expect(features.getByRole('heading', { name: 'Free delivery' })).toBeVisible();
  await expect(status).toHaveText('Saved');

  await list.getByRole('button', { name: 'Move feature 4 up' }).click();
  await list.getByRole('button', { name: 'Remove feature 1' }).click();
  const titles = () => features.getByRole('heading', { level: 3 }).allTextContents();
  await expect.poll(titles).toEqual(['On time', 'Free delivery', 'Friendly people']);
  await expect(status).toHaveText('Saved');

  await page.reload();
  await hydrated(page);
  await expect.poll(titles).toEqual(['On time', 'Free delivery', 'Friendly people']);
});

test('every kind of control: select, toggle, number, colour, link picker, with field errors for bad input', async ({ page }) => {
  await signUp(page, 'Controls');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');

  // Select and colour on the hero.
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  await inspector.getByLabel('Alignment').selectOption({ label: 'Left' });
  await expect(hero.locator('section')).toHaveCSS('text-align', 'left');
  await inspector.getByLabel('Background colour', { exact: true }).fill('#112233');
  await expect(hero.locator('section')).toHaveCSS('background-color', 'rgb(17, 34, 51)');

  // A colour that tries to escape its CSS property is refused next to the field.
  await inspector.getByLabel('Text colour', { exact: true }).fill('red;}body{display:none');
  await expect(inspector.getByRole('alert')).toContainText('use a colour like #1e293b');
  await expect(status).toContainText('Not saved');
  await inspector.getByLabel('Text colour', { exact: true }).fill('#ffffff');
  await expect(inspector.getByRole('alert')).toHaveCount(0);
  await expect(status).toHaveText('Saved');

  // Link picker: choose a page, or type an address; javascript: is refused.
  await inspector.getByLabel('Primary button link: page').selectOption({ label: 'Home (/)' });
  await expect(hero.getByRole('link', { name: 'Get started' })).toHaveAttribute('href', '/');
  const secondary = inspector.getByLabel('Secondary button link', { exact: true });
  await secondary.fill('javascript:alert(1)');
  await expect(inspector.getByRole('alert')).toContainText('Use a page path like /about');
  await expect(status).toContainText('Not saved');
  await secondary.fill('https://example.com/menu');
  await expect(status).toHaveText('Saved');
  await expect(hero.getByRole('link', { name: 'Learn more' })).toHaveAttribute('href', 'https://example.com/menu');

  // Toggle and number on the gallery.
  const gallery = canvas.getByRole('listitem', { name: 'Gallery block' });
  await gallery.click();
  await expect(gallery.getByText('Our workshop', { exact: true })).toBeVisible();
  await inspector.getByLabel('Show captions').uncheck();
  await expect(gallery.getByText('Our workshop', { exact: true })).toHaveCount(0);
  await inspector.getByLabel('Columns').fill('9');
  await expect(inspector.getByRole('alert')).toContainText('Columns must be between 1 and 6');
  await inspector.getByLabel('Columns').fill('2');
  await expect(inspector.getByRole('alert')).toHaveCount(0);
  await expect(status).toHaveText('Saved');

  await page.reload();
  await hydrated(page);
  await expect(hero.locator('section')).toHaveCSS('background-color', 'rgb(17, 34, 51)');
  await expect(gallery.getByText('Our workshop', { exact: true })).toHaveCount(0);
  await gallery.click();
  await expect(inspector.getByLabel('Columns')).toHaveValue('2');
  await expect(inspector.getByLabel('Show captions')).not.toBeChecked();
});

test('palette search, drag from the palette to a position, and device preview', async ({ page }) => {
  // Wide enough that the desktop preview gets its full 1200 px between the side panels.
  await page.setViewportSize({ width: 1800, height: 1000 });
  await signUp(page, 'Palette');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const names = () => canvas.getByRole('listitem', { name: / block$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

  await page.getByRole('searchbox', { name: 'Search blocks' }).fill('faq');
  await expect(page.getByRole('button', { name: 'Add FAQ' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add Hero' })).toBeHidden();
  await page.getByRole('searchbox', { name: 'Search blocks' }).fill('zzz');
  await expect(page.getByText('No block matches that search.')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search blocks' }).fill('');

  // Dropped on the upper half of the hero: lands before it.
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  const box = await hero.boundingBox();
  if (!box) throw new Error('hero has no box');
  await page.getByRole('button', { name: 'Add FAQ' }).dragTo(hero, { targetPosition: { x: box.width / 2, y: 10 } });
  await expect.poll(names).toEqual(['Navbar block', 'FAQ block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // Device preview narrows the page; blocks follow the page's width, not the window's.
  const sitePage = canvas.getByRole('list').first();
  await canvas.getByRole('button', { name: 'Mobile' }).click();
  await expect(canvas.getByRole('button', { name: 'Mobile' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await sitePage.boundingBox())?.width).toBeLessThanOrEqual(390);
  const grid = canvas.getByRole('listitem', { name: 'Features block' }).getByRole('list').first();
  await expect.poll(async () => (await grid.evaluate((el) => getComputedStyle(el).gridTemplateColumns)).split(' ').length).toBe(1);
  await canvas.getByRole('button', { name: 'Desktop' }).click();
  await expect.poll(async () => (await grid.evaluate((el) => getComputedStyle(el).gridTemplateColumns)).split(' ').length).toBe(3);

  await page.reload();
  await hydrated(page);
  await expect.poll(names).toEqual(['Navbar block', 'FAQ block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
});
