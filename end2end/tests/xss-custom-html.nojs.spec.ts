import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';
import { CUSTOM_HTML_PAYLOADS, FORBIDDEN_MARKUP } from './xss-payloads';
import { publishCustomHtmlPayloads } from './xss-setup';

test('Custom HTML payloads reach the visitor page only inside sandboxed frames, escaped in srcdoc', async ({ browser, page }) => {
  test.setTimeout(120_000);
  const owner = await browser.newContext({ javaScriptEnabled: true });
  const subdomain = await publishCustomHtmlPayloads(await owner.newPage());
  await owner.close();

  const res = await page.goto(siteUrl(subdomain));
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  const html = await res!.text();
  for (const bad of FORBIDDEN_MARKUP) {
    expect(html, String(bad)).not.toMatch(bad);
  }
  // One sandboxed frame per block and no other frame: the "</iframe>" payload did not break out.
  const frames = html.match(/<iframe[^>]*>/g) ?? [];
  expect(frames).toHaveLength(CUSTOM_HTML_PAYLOADS.length);
  for (const tag of frames) {
    expect(tag).toContain('sandbox="allow-scripts"');
    expect(tag).not.toContain('allow-same-origin');
  }
  // Without JavaScript the markup still shows, as the tenant wrote it.
  const rendered = await page.getByTitle('Custom HTML').all();
  for (const [i, frame] of rendered.entries()) {
    await expect(frame.contentFrame().getByText(`Custom payload ${i + 1}`, { exact: true })).toBeVisible();
  }
});
