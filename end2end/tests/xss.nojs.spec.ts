import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';
import { FORBIDDEN_MARKUP, TEXT_PAYLOADS } from './xss-payloads';
import { publishPayloads } from './xss-setup';

test('payloads in every text and link reach the visitor page only as escaped text', async ({ browser, page }) => {
  test.setTimeout(90_000);
  const owner = await browser.newContext({ javaScriptEnabled: true });
  const subdomain = await publishPayloads(await owner.newPage());
  await owner.close();

  const res = await page.goto(siteUrl(subdomain));
  expect(res?.status()).toBe(200);
  const html = await res!.text();
  for (const bad of FORBIDDEN_MARKUP) {
    expect(html, String(bad)).not.toMatch(bad);
  }
  // The payloads are shown as text.
  await expect(page.getByRole('heading', { name: TEXT_PAYLOADS[0], exact: true })).toBeVisible();
});
