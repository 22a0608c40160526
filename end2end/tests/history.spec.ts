import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('undo and redo every kind of edit, with the keyboard and the buttons, and the server follows', async ({ page }) => {
  await signUp(page, 'Undo');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const names = () => canvas.getByRole('listitem', { name: / block$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  const start = ['Navbar block', 'Hero block', 'Features block', 'Gallery block', 'Footer block'];
  const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

  // A typing burst undoes as one step.
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  const heading = inspector.getByLabel('Heading', { exact: true });
  const original = await heading.inputValue();
  await heading.fill('Fresh bread');
  await heading.pressSequentially(' daily');
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Fresh bread daily');
  await expect(status).toHaveText('Saved');
  await page.keyboard.press(`${mod}+z`);
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText(original);
  await expect(heading).toHaveValue(original);
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Fresh bread daily');

  // Delete, then undo brings the same block back in the same place.
  await canvas.getByRole('listitem', { name: 'Features block' }).click();
  await inspector.getByRole('button', { name: 'Delete block' }).click();
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Gallery block', 'Footer block']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(names).toEqual(start);

  // A move by keyboard, undone and redone.
  await canvas.getByRole('listitem', { name: 'Footer block' }).focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Features block', 'Footer block', 'Gallery block']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(names).toEqual(start);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Features block', 'Footer block', 'Gallery block']);

  // Hide, and add: undone.
  await canvas.getByRole('listitem', { name: 'Gallery block' }).click();
  await inspector.getByRole('button', { name: 'Hide block' }).click();
  await expect(canvas.getByRole('listitem', { name: 'Gallery block' }).getByText('Hidden')).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(canvas.getByRole('listitem', { name: 'Gallery block' }).getByText('Hidden')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add Stats' }).click();
  await expect(canvas.getByRole('listitem', { name: 'Stats block' })).toBeVisible();
  await page.keyboard.press(`${mod}+z`);
  await expect(canvas.getByRole('listitem', { name: 'Stats block' })).toHaveCount(0);
  await expect(status).toHaveText('Saved');

  // The server has exactly what the screen shows.
  await page.reload();
  await hydrated(page);
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Features block', 'Footer block', 'Gallery block']);
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Fresh bread daily');
  await expect(canvas.getByRole('listitem', { name: 'Gallery block' }).getByText('Hidden')).toHaveCount(0);
});
