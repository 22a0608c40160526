import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

test('a global footer used on two pages changes on both after one confirmed edit and a publish', async ({ page, context }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1400, height: 1800 });
  const subdomain = await signUp(page, 'Global');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });

  // A second page, published.
  await page.getByRole('tab', { name: 'Pages' }).click();
  const panel = page.getByRole('region', { name: 'Pages', exact: true });
  const add = panel.getByRole('form', { name: 'Add a page' });
  await add.getByLabel('New page title').fill('About');
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(panel.getByText('Page “About” added as a draft.')).toBeVisible();
  const settings = panel.getByRole('region', { name: 'Page settings' });
  await settings.getByLabel('Status').selectOption({ label: 'Published' });
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(panel.getByText('Page settings saved.')).toBeVisible();

  // The home page's footer becomes the global block "Site footer".
  await canvas.getByRole('listitem', { name: 'Footer block' }).click();
  await inspector.getByLabel('Global block name').fill('Site footer');
  await inspector.getByRole('button', { name: 'Save as global block' }).click();
  await expect(page.getByText('Saved as global block “Site footer”.')).toBeVisible();
  await expect(inspector.getByText('Global block “Site footer”: a change here is saved to every page that uses it.')).toBeVisible();

  // On About, its own footer gives way to the global one from the palette.
  await panel.getByRole('list', { name: 'Pages of this website' }).getByRole('link', { name: 'About', exact: true }).click();
  await expect(page.getByRole('banner').getByRole('heading', { level: 1, name: /^About/ })).toBeVisible();
  await hydrated(page);
  await canvas.getByRole('listitem', { name: 'Footer block' }).click();
  await inspector.getByRole('button', { name: 'Delete block' }).click();
  await expect(canvas.getByRole('listitem', { name: 'Footer block' })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Blocks' }).click();
  const globals = page.getByRole('region', { name: 'Global blocks' });
  await expect(globals.getByText('Footer · 1 use')).toBeVisible();
  await globals.getByRole('button', { name: 'Add Site footer' }).click();
  await expect(page.getByText('Global block added.')).toBeVisible();
  await expect(canvas.getByRole('listitem', { name: 'Footer block' })).toHaveCount(1);
  await expect(globals.getByText('Footer · 2 uses')).toBeVisible();

  // One edit, confirmed with the list of pages that use it.
  await canvas.getByRole('listitem', { name: 'Footer block' }).click();
  await inspector.getByLabel('Tagline').fill('Baked fresh since 1998');
  await expect(canvas.getByRole('listitem', { name: 'Footer block' })).toContainText('Baked fresh since 1998');
  await inspector.getByRole('button', { name: 'Review and save global block' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save global block' });
  await expect(dialog).toContainText('This change updates the global block on 2 pages:');
  await expect(dialog.getByRole('listitem')).toHaveCount(2);
  await expect(dialog.getByRole('listitem').filter({ hasText: 'Home (/) on' })).toHaveCount(1);
  await expect(dialog.getByRole('listitem').filter({ hasText: 'About (/about) on' })).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Save to all pages' }).click();
  await expect(page.getByText('Global block “Site footer” saved on 2 pages.')).toBeVisible();
  await expect(dialog).toHaveCount(0);

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  const visitor = await context.newPage();
  for (const path of ['/', '/about']) {
    const response = await visitor.goto(siteUrl(subdomain, path));
    expect(response?.status()).toBe(200);
    // The site's footer block renders inside the page's main region (so it is no contentinfo).
    await expect(visitor.getByText('Baked fresh since 1998')).toBeVisible();
  }

  // The home page's draft shows it too, and a used global block cannot be deleted.
  await page.getByRole('tab', { name: 'Pages' }).click();
  await panel.getByRole('list', { name: 'Pages of this website' }).getByRole('link', { name: 'Home', exact: true }).click();
  await expect(page.getByRole('banner').getByRole('heading', { level: 1, name: /^Home/ })).toBeVisible();
  await hydrated(page);
  await expect(canvas.getByRole('listitem', { name: 'Footer block' })).toContainText('Baked fresh since 1998');
  await page.getByRole('tab', { name: 'Blocks' }).click();
  await globals.getByRole('button', { name: 'Delete global block Site footer' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The global block “Site footer” is still in use (2 uses)' })).toBeVisible();
});
