import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

const BODY = [
  '## Opening hours',
  '',
  'We bake **every day** and *mostly* before dawn. See [the menu](/menu).',
  '',
  '- Bread',
  '- Cakes',
  '',
  '1. Order',
  '2. Collect',
  '',
  '<script>alert(1)</script>',
].join('\n');

test('a text block with bold, a link and lists is published as real elements, readable without JavaScript', async ({ page, browser }) => {
  const subdomain = await signUp(page, 'Prose');
  await page.getByRole('link', { name: 'Edit Home' }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await hydrated(page);
  const status = page.getByRole('status');

  await page.getByRole('button', { name: 'Add Text', exact: true }).click();
  await expect(status).toHaveText('Saved');
  const body = page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Body', { exact: true });
  const block = canvas.getByRole('listitem', { name: 'Text block' });

  // A link to a script address is shown as plain text and refused by the server.
  await body.fill('Click [here](javascript:alert(1)) now');
  await expect(status).toContainText('needs an address');
  await expect(block.getByText('Click here) now')).toBeVisible();
  await expect(block.getByRole('link')).toHaveCount(0);

  await body.fill(BODY);
  await expect(status).toHaveText('Saved');
  await expect(block.getByRole('heading', { name: 'Opening hours' })).toBeVisible();
  await expect(block.getByRole('strong')).toHaveText('every day');
  await expect(block.getByRole('emphasis')).toHaveText('mostly');
  await expect(block.getByRole('link', { name: 'the menu' })).toHaveAttribute('href', '/menu');
  await expect(block.getByRole('list')).toHaveCount(2);
  await expect(block.getByRole('listitem')).toHaveText(['Bread', 'Cakes', 'Order', 'Collect']);
  await expect(block.getByText('<script>alert(1)</script>')).toBeVisible();

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  // Visitors get plain server-rendered HTML: check it with JavaScript switched off.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const visitor = await noJs.newPage();
  const response = await visitor.goto(siteUrl(subdomain));
  expect(response?.status()).toBe(200);
  const main = visitor.getByRole('main');
  await expect(main.getByRole('heading', { name: 'Opening hours' })).toBeVisible();
  await expect(main.getByRole('strong')).toHaveText('every day');
  await expect(main.getByRole('emphasis')).toHaveText('mostly');
  await expect(main.getByRole('link', { name: 'the menu' })).toHaveAttribute('href', '/menu');
  await expect(main.getByRole('listitem').filter({ hasText: /^(Bread|Cakes|Order|Collect)$/ })).toHaveText(['Bread', 'Cakes', 'Order', 'Collect']);
  await expect(main.getByText('<script>alert(1)</script>')).toBeVisible();
  await noJs.close();
});
