import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers';

// What search engines and link previews read on a visitor site (no JavaScript needed).

test('a visitor page carries its SEO tags, JSON-LD and security policy', async ({ page }) => {
  const res = await page.goto(siteUrl('demo'));
  expect(res?.status()).toBe(200);
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("form-action 'self'");
  const port = process.env.SITEPILOT_PORT;
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', `https://demo.localhost:${port}/`);
  await expect(page.locator('meta[property="og:url"]')).toHaveAttribute('content', `https://demo.localhost:${port}/`);
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', /Demo/);
  await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute('content', /summary/);
  const ld = await page.locator('script[type="application/ld+json"]').first().textContent();
  const org = JSON.parse(ld ?? '{}');
  expect(org['@type']).toBe('Organization');
  expect(org.url).toBe(`https://demo.localhost:${port}/`);
});

test('sitemap.xml and robots.txt by host and by path', async ({ page, request }) => {
  const port = process.env.SITEPILOT_PORT;
  // The browser resolves *.localhost; Node's request context does not, so host-form files load in the page.
  const map = await page.goto(siteUrl('demo', '/sitemap.xml'));
  expect(map?.status()).toBe(200);
  expect(map?.headers()['content-type']).toContain('application/xml');
  expect(map?.headers()['content-security-policy']).toContain("default-src 'self'");
  expect(await map?.text()).toContain(`<loc>https://demo.localhost:${port}/</loc>`);
  const robots = await page.goto(siteUrl('demo', '/robots.txt'));
  expect(await robots?.text()).toContain(`Sitemap: https://demo.localhost:${port}/sitemap.xml`);

  const pathMap = await request.get('/sites/demo/sitemap.xml');
  expect(await pathMap.text()).toContain(`<loc>http://127.0.0.1:${port}/sites/demo/</loc>`);
  const pathRobots = await request.get('/sites/demo/robots.txt');
  expect(await pathRobots.text()).toContain(`Sitemap: http://127.0.0.1:${port}/sites/demo/sitemap.xml`);
});
