import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

/** Adds a draft page through the builder's Pages panel, then goes back to the dashboard. */
async function addPage(page: Page, title: string) {
  await openHomeInBuilder(page);
  await page.getByRole('tab', { name: 'Pages' }).click();
  const panel = page.getByRole('region', { name: 'Pages', exact: true });
  const add = panel.getByRole('form', { name: 'Add a page' });
  await add.getByLabel('New page title').fill(title);
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(panel.getByText(`Page “${title}” added as a draft.`)).toBeVisible();
  await page.goto('/dashboard');
  await hydrated(page);
}

/** The visible text of the builder's canvas for one page, opened from the dashboard card. */
async function canvasText(page: Page, card: ReturnType<Page['getByRole']>, pageTitle: string) {
  await card.getByRole('link', { name: `Edit ${pageTitle}` }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await hydrated(page);
  const text = await canvas.innerText();
  await page.goto('/dashboard');
  await hydrated(page);
  return text;
}

test('a new user exports a website, imports it as a new one and sees identical pages', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  const tag = await signUp(page, 'Backup');
  await addPage(page, 'Menu');

  const original = page.getByRole('region').filter({ has: page.getByRole('link', { name: 'Edit Menu' }) }).first();
  const siteName = (await original.getByRole('heading', { level: 2 }).innerText()).trim();

  // Download the backup.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: `Download a backup of ${siteName}`, exact: true }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.sitepilot\.json$/);
  const file = await download.path();
  const doc = JSON.parse(await readFile(file, 'utf8'));
  expect(doc.format).toBe('sitepilot.website');
  expect(doc.pages.map((p: { slug: string }) => p.slug)).toEqual(['/', '/menu']);

  const form = page.getByRole('region', { name: 'Import a website' });
  // A damaged file is refused with the reason, and nothing is created.
  await form.getByLabel('Backup file').setInputFiles({
    name: 'broken.sitepilot.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "sitepilot.website", "version": 2, "pages": ['),
  });
  await form.getByLabel('Address (subdomain)').fill(`copy-${tag}`);
  await form.getByRole('button', { name: 'Import website' }).click();
  await expect(form.getByRole('alert')).toContainText('The file is not valid JSON');

  // The Starter plan holds one website: the import names the limit and the upgrade.
  await form.getByLabel('Backup file').setInputFiles(file);
  await form.getByLabel('New website name (optional)').fill('Imported copy');
  await form.getByRole('button', { name: 'Import website' }).click();
  const limit = form.getByRole('alert');
  await expect(limit).toContainText('Your plan allows 1 website on the Starter plan');
  await limit.getByRole('link', { name: 'Upgrade to Growth on the Billing page' }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await page.goto('/dashboard');
  await hydrated(page);

  await form.getByLabel('Backup file').setInputFiles(file);
  await form.getByLabel('New website name (optional)').fill('Imported copy');
  await form.getByLabel('Address (subdomain)').fill(`copy-${tag}`);
  await form.getByRole('button', { name: 'Import website' }).click();
  await expect(form.getByRole('status')).toHaveText('Website imported. It is listed above as a draft.');

  const copy = page.getByRole('region', { name: 'Imported copy' });
  await expect(copy.getByText(`copy-${tag}`)).toBeVisible();
  const source = page.getByRole('region', { name: siteName, exact: true });
  // The same pages, in the same order, with the same addresses and statuses.
  const sourceList = await source.getByRole('list').innerText();
  await expect.poll(() => copy.getByRole('list').innerText()).toBe(sourceList);
  // And the same content, block for block.
  for (const title of ['Home', 'Menu']) {
    const before = await canvasText(page, source, title);
    const after = await canvasText(page, copy, title);
    expect(after).toBe(before);
    expect(after.length).toBeGreaterThan(20);
  }
});

test('a new user duplicates a page from the Pages panel', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await signUp(page, 'Dupe');
  await openHomeInBuilder(page);
  const heroBefore = await page.getByRole('main', { name: 'Canvas' }).innerText();
  await page.getByRole('tab', { name: 'Pages' }).click();
  const panel = page.getByRole('region', { name: 'Pages', exact: true });
  await panel.getByRole('button', { name: 'Settings for Home' }).click();
  await panel.getByRole('button', { name: 'Duplicate page' }).click();
  await expect(panel.getByText('Page “Home (copy)” added as a draft.')).toBeVisible();
  const list = panel.getByRole('list', { name: 'Pages of this website' });
  await expect(list.getByText('/home-copy', { exact: true })).toBeVisible();
  // The copy holds the same blocks.
  await list.getByRole('link', { name: 'Home (copy)', exact: true }).click();
  await expect(page).toHaveURL(/\/builder\//);
  await hydrated(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await expect.poll(() => canvas.innerText()).toBe(heroBefore);
});

test('a new user takes a backup, changes the site and restores the backup', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await signUp(page, 'Restore');
  await page.goto('/dashboard');
  await hydrated(page);
  const backups = page.getByRole('region', { name: /^Backups of / });
  await expect(backups.getByText('No backups yet.')).toBeVisible();
  await backups.getByRole('button', { name: 'Back up now' }).click();
  await expect(backups.getByRole('status')).toHaveText('Backup taken.');
  const stored = backups.getByRole('list', { name: 'Stored backups' });
  await expect(stored.getByRole('listitem')).toHaveCount(1);
  await expect(stored).toContainText('Manual backup');
  await expect(stored).toContainText('1 page(s)');

  // A page added after the backup…
  await addPage(page, 'Later');
  await expect(page.getByRole('link', { name: 'Edit Later' })).toBeVisible();

  // …is gone after restoring it; the site as it was is kept as a backup of its own.
  await stored.getByRole('button', { name: /^Restore the backup of / }).click();
  await backups.getByRole('group', { name: 'Confirm restore' }).getByRole('button', { name: 'Yes, restore' }).click();
  await expect(backups.getByRole('status')).toHaveText('Backup restored into the draft. Publish to make it live.');
  await expect(stored).toContainText('Before a restore');
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Edit Home' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit Later' })).toHaveCount(0);
});
