import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { hydrated, publishHome, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

/** The files of a zip (no ZIP64, methods stored or deflate): name -> bytes. Enough to open the
 * organisation export without a zip library. */
function unzip(buf: Buffer): Map<string, Buffer> {
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data, data + size);
    files.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

async function openSettings(page: Page) {
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: "Your organisation's data", level: 2 })).toBeVisible();
  await hydrated(page);
}

test('an owner exports the organisation, opens the zip, deletes the organisation and cancels the deletion', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Leaving');
  const orgName = `Leaving ${subdomain.slice('leaving-'.length)}`;
  await publishHome(page);

  // Export: the job runs in the background; the link appears when the zip is ready.
  await openSettings(page);
  await page.getByRole('button', { name: 'Export organisation data' }).click();
  const link = page.getByRole('link', { name: 'Download the export' });
  await expect(link).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Your export is ready' })).toBeVisible();
  const downloading = page.waitForEvent('download');
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^sitepilot-export-.*\.zip$/);
  const files = unzip(await readFile(await download.path()));
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  expect(manifest.format_version).toBe(1);
  expect(manifest.organisation.name).toBe(orgName);
  expect(manifest.websites.map((w: { subdomain: string }) => w.subdomain)).toEqual([subdomain]);
  const site = JSON.parse(files.get(`websites/${subdomain}/website.json`)!.toString('utf8'));
  expect(site.format).toBe('sitepilot.website');
  for (const f of manifest.files as { path: string; size: number }[]) {
    expect(files.get(f.path)?.length, f.path).toBe(f.size);
  }

  // Deletion needs the name typed; a wrong one is refused with the reason.
  const name = page.getByLabel("Type the organisation's name to confirm");
  await name.fill('Something else');
  await page.getByRole('button', { name: 'Delete organisation' }).click();
  await expect(page.getByText("Type the organisation's name exactly as shown to confirm.")).toBeVisible();
  await name.fill(orgName);
  await page.getByRole('button', { name: 'Delete organisation' }).click();
  await expect(page.getByRole('heading', { name: `${orgName} is scheduled for deletion` })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('will be deleted for good on');

  // A visitor finds the site offline at once.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const offline = await visitor.goto(siteUrl(subdomain));
  expect(offline?.status()).toBe(404);
  await expect(visitor.getByRole('heading', { name: 'This website is not available' })).toBeVisible();

  // The owner cancels: the dashboard and the site are back.
  await page.getByRole('button', { name: 'Cancel deletion' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  const back = await visitor.goto(siteUrl(subdomain));
  expect(back?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { name: 'This website is not available' })).toHaveCount(0);
  await visitorContext.close();
});
