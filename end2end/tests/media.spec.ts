import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

/** A noisy JPEG made by the browser's canvas (noise keeps it a few MB, like a photo). */
async function photo(page: Page, hue: number): Promise<Buffer> {
  const b64 = await page.evaluate((h) => {
    const c = document.createElement('canvas');
    c.width = 2000;
    c.height = 1500;
    const g = c.getContext('2d')!;
    const img = g.createImageData(c.width, c.height);
    for (let i = 0; i < img.data.length; i += 4) {
      img.data[i] = (h + Math.random() * 80) % 256;
      img.data[i + 1] = Math.random() * 255;
      img.data[i + 2] = ((i / 4) % c.width) / 8;
      img.data[i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.95).split(',')[1];
  }, hue);
  return Buffer.from(b64, 'base64');
}

test('a new user uploads photos, places them through the picker, publishes, and deleting asks first', async ({ page, context }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Media');
  await page.getByRole('link', { name: 'Media', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Media', level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('No files yet.')).toBeVisible();

  const sunrise = await photo(page, 20);
  const harbour = await photo(page, 160);
  // A slow uplink, so each file's progress bar is visible while it is sent.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024,
  });
  await page.getByLabel('Upload files').setInputFiles([
    { name: 'sunrise.jpg', mimeType: 'image/jpeg', buffer: sunrise },
    { name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: harbour },
  ]);
  await expect(page.getByRole('progressbar', { name: 'Uploading sunrise.jpg' })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Uploading harbour.jpg' })).toBeVisible();
  // Both files land in the library once sent (finished uploads leave the Uploads list).
  await expect(page.getByRole('list', { name: 'Files' }).getByRole('listitem')).toHaveCount(2, { timeout: 60_000 });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  const files = page.getByRole('list', { name: 'Files' });
  await expect(files.getByRole('listitem')).toHaveCount(2);
  await expect(files.getByRole('heading', { name: 'sunrise.jpg' })).toBeVisible();
  await expect(files.getByText('JPG', { exact: false }).first()).toBeVisible();

  // Hero and gallery take them through the picker.
  await page.goto('/dashboard');
  await hydrated(page);
  await openHomeInBuilder(page);
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await page.getByRole('listitem', { name: 'Hero block' }).click();
  await inspector.getByLabel('Background', { exact: true }).selectOption('image');
  await inspector.getByRole('button', { name: 'Choose Background image from library' }).click();
  await inspector.getByRole('button', { name: 'Use sunrise.jpg' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved');
  await expect(page.getByRole('listitem', { name: 'Hero block' }).locator('img.sp-hero-bg')).toHaveAttribute('src', /\/o2000x1500\.jpg$/);

  await page.getByRole('listitem', { name: 'Gallery block' }).click();
  const first = inspector.getByRole('group', { name: /^Image 1/ });
  await first.getByRole('button', { name: 'Choose Image from library' }).click();
  await first.getByRole('button', { name: 'Use harbour.jpg' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved');

  // The logo, picked in the Branding tab: its address field shows the pick at once.
  await page.getByRole('tab', { name: 'Branding' }).click();
  const branding = page.getByRole('region', { name: 'Branding' });
  await branding.getByRole('button', { name: 'Choose Logo image from library' }).click();
  await branding.getByRole('button', { name: 'Use sunrise.jpg' }).click();
  await expect(branding.getByLabel('Logo image URL')).toHaveValue(/^\/media\/.+\/o2000x1500\.jpg$/);
  await expect(branding.getByText('Branding saved')).toBeVisible();

  await page.getByRole('button', { name: 'Publish' }).click();
  // Publishing records which files the deployment uses, so it may take longer than a plain publish.
  await expect(page.getByText('Published.')).toBeVisible({ timeout: 30_000 });

  // The visitor page: responsive images with their size.
  const visitor = await context.newPage();
  await visitor.goto(siteUrl(subdomain));
  const hero = visitor.locator('img.sp-hero-bg');
  await expect(hero).toHaveAttribute('srcset', /w480\.webp 480w, .*w960\.webp 960w, .*w1600\.webp 1600w, .*2000w/);
  await expect(hero).toHaveAttribute('width', '2000');
  await expect(hero).toHaveAttribute('height', '1500');
  await expect(hero).toHaveAttribute('fetchpriority', 'high');
  const galleryImg = visitor.locator('.sp-gallery img').first();
  await expect(galleryImg).toHaveAttribute('srcset', /w480\.webp 480w/);
  await expect(galleryImg).toHaveAttribute('width', '2000');
  await expect(galleryImg).toHaveAttribute('loading', 'lazy');
  await expect.poll(() => hero.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);

  // Deleting a photo in use asks first and names the page.
  await page.goto('/media');
  await hydrated(page);
  await page.getByRole('button', { name: 'Delete sunrise.jpg' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Delete a file in use' });
  await expect(ask).toContainText('sunrise.jpg is used on:');
  await expect(ask).toContainText('Home');
  await ask.getByRole('button', { name: 'Delete anyway' }).click();
  await expect(page.getByRole('list', { name: 'Files' }).getByRole('listitem')).toHaveCount(1);

  // The published page still shows it.
  await visitor.reload();
  const src = await visitor.locator('img.sp-hero-bg').getAttribute('src');
  // Fetched by the visitor's browser (Chromium resolves *.localhost; Node's resolver does not).
  const res = await visitor.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('content-type') };
  }, src!);
  expect(res.status).toBe(200);
  expect(res.type).toBe('image/jpeg');
  await expect.poll(() => visitor.locator('img.sp-hero-bg').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
});

test('each refused file gets its own message', async ({ page }) => {
  await signUp(page, 'Refuse');
  await page.goto('/media');
  await hydrated(page);
  await page.getByLabel('Upload files').setInputFiles([
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('#!/bin/sh\necho not a photo\n'.repeat(10)) },
    { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
  ]);
  const uploads = page.getByRole('list', { name: 'Uploads' });
  await expect(uploads.getByRole('alert').filter({ hasText: 'named like a JPEG image but its content is not' })).toBeVisible();
  await expect(uploads.getByRole('alert').filter({ hasText: 'SVG files are not accepted' })).toBeVisible();
  await expect(page.getByText('No files yet.')).toBeVisible();
});
