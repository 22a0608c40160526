import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

test('an owner duplicates, hides and locks blocks; hidden blocks stay off the published site', async ({ page, context }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  const subdomain = await signUp(page, 'Actions');
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await hydrated(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });

  await canvas.getByRole('listitem', { name: 'Gallery block' }).click();
  await inspector.getByRole('button', { name: 'Duplicate block' }).click();
  await expect(canvas.getByRole('listitem', { name: 'Gallery block' })).toHaveCount(2);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // The copy is selected; hide it.
  await inspector.getByRole('button', { name: 'Hide block' }).click();
  await expect(canvas.getByText('Hidden', { exact: true })).toBeVisible();
  await expect(inspector.getByRole('button', { name: 'Show block' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Saved');

  await canvas.getByRole('listitem', { name: 'Footer block' }).click();
  await inspector.getByRole('button', { name: 'Lock block' }).click();
  await expect(canvas.getByText('Locked', { exact: true })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Saved');

  await page.reload();
  await hydrated(page);
  await expect(canvas.getByRole('listitem', { name: 'Gallery block' })).toHaveCount(2);
  await expect(canvas.getByText('Hidden', { exact: true })).toBeVisible();
  await expect(canvas.getByText('Locked', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
  const visitor = await context.newPage();
  await visitor.goto(siteUrl(subdomain));
  await expect(visitor.getByRole('heading', { name: 'Gallery' })).toHaveCount(1);
});
