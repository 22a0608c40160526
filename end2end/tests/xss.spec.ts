import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';
import { TEXT_PAYLOADS } from './xss-payloads';
import { publishPayloads } from './xss-setup';

test('no payload runs on the visitor page with JavaScript on', async ({ page }) => {
  test.setTimeout(90_000);
  const subdomain = await publishPayloads(page);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(siteUrl(subdomain));
  await expect(page.getByRole('heading', { name: TEXT_PAYLOADS[0], exact: true })).toBeVisible();
  // Hover every link and button, where an injected handler would fire.
  for (const link of await page.getByRole('link').all()) {
    await link.hover();
  }
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});
