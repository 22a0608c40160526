// Visitor benchmark, shop-grid mode, step 1: a fresh organisation on Growth with 48 active
// products (two variants each, tracked stock), and its published home page holding a product
// grid of all 48 (the starter blocks around it). Prints {"subdomain": ..., "bytes": ...}.
// Run through `BENCH_SHOP_GRID=1 bash scripts/bench-visitor.sh`.
import { apiClient, signUpFresh } from './lib.mjs';

const BASE = process.env.SITEPILOT_BASE_URL;
if (!BASE) throw new Error('SITEPILOT_BASE_URL is not set (scripts/bench-visitor.sh sets it)');
const PRODUCTS = 48;

const api = apiClient(BASE);
const site = await signUpFresh(api, 'shop-bench', { verify: true });
await api.call('billing/test_change', { plan: 'growth', cycle: 'monthly', keep: [] });
for (let i = 1; i <= PRODUCTS; i++) {
  await api.call('commerce/product/create', {
    website_id: site.id,
    product: {
      title: `Stoneware mug no. ${i}`,
      status: 'active',
      currency: 'EUR',
      option_names: ['Size'],
      images: [`/starter/gallery-${1 + (i % 3)}.svg`],
      variants: [
        { option_values: ['Small'], sku: `MUG-${i}-S`, price: `${10 + (i % 7)}.50`, stock: `${5 + i}`, track_inventory: true },
        { option_values: ['Large'], sku: `MUG-${i}-L`, price: `${14 + (i % 5)}.00`, stock: '0', track_inventory: true },
      ],
    },
  });
}
const pageId = site.pages.find((p) => p.slug === '/')?.id ?? site.pages[0].id;
const data = await api.call('builder/load', { page_id: pageId }, true);
const grid = {
  type: 'product_grid',
  props: { heading: 'The whole shop', subheading: 'Every mug we make, with today’s prices.', source: 'all', category_id: '', product_ids: [], columns: 4, limit: PRODUCTS },
};
await api.call('builder/insert', {
  page_id: pageId,
  block: { id: crypto.randomUUID(), block: grid, is_visible: true, is_locked: false },
  after: data.components[1].id,
  base_revision: data.revision,
});
await api.call('websites/publish', { website_id: site.id });
const res = await fetch(`${BASE}/sites/${site.subdomain}/`);
if (res.status !== 200) throw new Error(`published page answered ${res.status}`);
const html = await res.text();
const cards = html.split('class="sp-product-card"').length - 1;
if (cards !== PRODUCTS) throw new Error(`the grid shows ${cards} products, not ${PRODUCTS}`);
console.log(JSON.stringify({ subdomain: site.subdomain, bytes: Buffer.byteLength(html) }));
