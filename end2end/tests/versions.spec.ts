import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

test('an owner saves a named version, previews it and restores it', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1200 });
  await signUp(page, 'Versions');
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await hydrated(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const heroHeading = canvas.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 });
  const versions = page.getByRole('list', { name: 'Saved versions' });

  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Fresh bread every morning');
  await expect(page.getByRole('status')).toHaveText('Saved');

  // Too long a label is explained on the field.
  await page.getByRole('tab', { name: 'Versions' }).click();
  const label = page.getByLabel('Version label (optional)');
  await label.fill('x'.repeat(121));
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByText('Keep the version label under 120 characters.')).toBeVisible();
  await expect(label).toHaveAttribute('aria-invalid', 'true');

  await label.fill('First draft');
  await page.getByRole('button', { name: 'Save version' }).click();
  const first = versions.getByRole('listitem').filter({ hasText: 'First draft' });
  await expect(first).toContainText('Manual');
  await expect(first).toContainText('Pat Owner');
  await expect(label).toHaveValue('');
  await expect(page.getByText('Keep the version label under 120 characters.')).toHaveCount(0);

  await inspector.getByLabel('Heading', { exact: true }).fill('Cakes made to order');
  await expect(heroHeading).toHaveText('Cakes made to order');
  await expect(page.getByRole('status')).toHaveText('Saved');
  // The restore carries the editor's live revision: no reload needed after editing.
  await page.getByRole('tab', { name: 'Versions' }).click();

  await first.getByRole('button', { name: 'Preview' }).click();
  const dialog = page.getByRole('dialog', { name: 'Preview: First draft' });
  await expect(dialog.getByRole('heading', { level: 1 })).toHaveText('Fresh bread every morning');
  await expect(heroHeading).toHaveText('Cakes made to order');

  // Closing changes nothing; restoring asks first.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await first.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByRole('button', { name: 'Restore this version' }).click();
  await expect(dialog.getByText('Replace the page with this version?')).toBeVisible();
  await dialog.getByRole('button', { name: 'Yes, restore' }).click();
  await expect(dialog).toBeHidden();
  await expect(heroHeading).toHaveText('Fresh bread every morning');

  // What the page held before is kept, so the restore can be undone.
  await page.getByRole('tab', { name: 'Versions' }).click();
  const safety = versions.getByRole('listitem').filter({ hasText: 'Before restore' });
  await expect(safety).toContainText('Before restoring “First draft”');
  await expect(safety).toContainText('Pat Owner');
  await safety.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('dialog').getByRole('heading', { level: 1 })).toHaveText('Cakes made to order');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  await page.reload();
  await hydrated(page);
  await expect(heroHeading).toHaveText('Fresh bread every morning');
});
