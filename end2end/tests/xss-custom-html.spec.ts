import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';
import { CUSTOM_HTML_PAYLOADS } from './xss-payloads';
import { publishCustomHtmlPayloads } from './xss-setup';

test('a Pro site owner puts script payloads into Custom HTML blocks and none of them runs for visitors', async ({ page }) => {
  test.setTimeout(120_000);
  const subdomain = await publishCustomHtmlPayloads(page);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = siteUrl(subdomain);
  await page.goto(url);
  const frames = await page.getByTitle('Custom HTML').all();
  expect(frames).toHaveLength(CUSTOM_HTML_PAYLOADS.length);
  // Every block rendered its markup in its frame (so its payload had its chance to run).
  for (const [i, frame] of frames.entries()) {
    await expect(frame.contentFrame().getByText(`Custom payload ${i + 1}`, { exact: true })).toBeVisible();
  }
  // A visitor clicks the javascript: link inside the tenant's markup (block 4).
  await frames[3].contentFrame().getByRole('link', { name: 'Run me' }).click();

  // Nothing ran: not in the page, not in any frame; no dialog; the page kept its title and URL.
  for (const frame of page.frames()) {
    // A frame detached since the list was taken has no window left to check.
    if (frame.isDetached()) continue;
    expect(await frame.evaluate(() => (window as unknown as { __xss?: number }).__xss), frame.url()).toBeUndefined();
  }
  expect(dialogs).toEqual([]);
  await expect(page).not.toHaveTitle('pwned');
  expect(page.url()).toBe(url);
});
