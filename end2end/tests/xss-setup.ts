import { expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { openHomeInBuilder, signUp } from './builder-helpers';
import { appOrigin } from './helpers';
import { CUSTOM_HTML_PAYLOADS, TEXT_PAYLOADS, URL_PAYLOADS } from './xss-payloads';

/** Opens the home page in the builder and loads it through the builder's own server function. */
async function openHomeAndLoad(page: Page): Promise<{ pageId: string; data: { revision: number; website_id: string } }> {
  await openHomeInBuilder(page);
  const pageId = new URL(page.url()).pathname.split('/').pop() ?? '';
  const load = await page.request.post('/api/builder/load', { form: { page_id: pageId }, headers: { Origin: appOrigin() } });
  expect(load.ok()).toBeTruthy();
  return { pageId, data: await load.json() };
}

/**
 * Signs up (in a JS-enabled page), then through the app's real server functions puts every
 * text payload into a hero's texts and every URL payload into its links (the server must refuse
 * the unsafe URLs), and publishes. Returns the subdomain.
 */
export async function publishPayloads(page: Page): Promise<string> {
  const subdomain = await signUp(page, 'Xss');
  const { pageId, data } = await openHomeAndLoad(page);
  let revision: number = data.revision;
  let after: string | null = null;
  for (const text of TEXT_PAYLOADS) {
    const id = randomUUID();
    const props = {
      heading: text, subheading: text, cta_primary_label: text, cta_primary_href: '/ok',
      cta_secondary_label: '', cta_secondary_href: '', background_type: 'color', background_image: '',
      background_color: '', text_color: '', background_overlay_opacity: 0, min_height: '60vh', text_align: 'center',
    };
    const res = await page.request.post('/api/builder/insert', {
      headers: { Origin: appOrigin() },
      data: { page_id: pageId, block: { id, block: { type: 'hero', props }, is_visible: true, is_locked: false }, after, base_revision: revision },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    revision = (await res.json()).revision;
    after = id;
  }
  for (const href of URL_PAYLOADS) {
    const props = { heading: 'Link', body: 'x', button_label: 'Go', button_href: href };
    const res = await page.request.post('/api/builder/insert', {
      headers: { Origin: appOrigin() },
      data: { page_id: pageId, block: { id: randomUUID(), block: { type: 'cta', props }, is_visible: true, is_locked: false }, after, base_revision: revision },
    });
    // Unsafe schemes are refused with a field error; nothing is stored.
    if (/^(javascript|data):/i.test(href) || href.startsWith('"') || href.startsWith('//')) {
      expect(res.status(), href).toBeGreaterThanOrEqual(400);
    } else {
      revision = (await res.json()).revision;
    }
  }
  const pub = await page.request.post('/api/websites/publish', { data: { website_id: data.website_id }, headers: { Origin: appOrigin() } });
  expect(pub.ok(), await pub.text()).toBeTruthy();
  return subdomain;
}

/**
 * Signs up, upgrades to Pro through billing's local test mode (the Billing page's button, as
 * custom-html.spec.ts does), puts each Custom HTML payload into its own Custom HTML block
 * through the builder's insert function, and publishes. Returns the subdomain.
 */
export async function publishCustomHtmlPayloads(page: Page): Promise<string> {
  const subdomain = await signUp(page, 'Xsshtml');
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
  await expect(page.getByRole('region', { name: 'Current plan' }).getByRole('definition').first()).toHaveText('Pro');
  await page.getByRole('link', { name: 'Your websites' }).click();
  const { pageId, data } = await openHomeAndLoad(page);
  let revision: number = data.revision;
  let after: string | null = null;
  for (const html of CUSTOM_HTML_PAYLOADS) {
    const id = randomUUID();
    const res = await page.request.post('/api/builder/insert', {
      headers: { Origin: appOrigin() },
      data: {
        page_id: pageId,
        block: { id, block: { type: 'custom_html', props: { html, height: 120 } }, is_visible: true, is_locked: false },
        after,
        base_revision: revision,
      },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    revision = (await res.json()).revision;
    after = id;
  }
  const pub = await page.request.post('/api/websites/publish', { data: { website_id: data.website_id }, headers: { Origin: appOrigin() } });
  expect(pub.ok(), await pub.text()).toBeTruthy();
  return subdomain;
}
