import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { appOrigin } from './helpers';

test('a block copied in one website pastes into another; a forged clipboard is refused', async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appOrigin() });
  await page.setViewportSize({ width: 1400, height: 1800 });
  const tag = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
  await signUp(page, 'Paste');
  const first = page.getByRole('heading', { level: 2, name: /^Paste / });
  const firstName = (await first.textContent()) ?? '';

  // A second website needs the Growth plan (test mode).
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await page.getByRole('link', { name: 'Your websites' }).click();
  await hydrated(page);
  const form = page.getByRole('region', { name: 'New website' });
  await form.getByLabel('Website name', { exact: true }).fill('Second Shop');
  await form.getByLabel('Address (subdomain)').fill(`second-${tag}`);
  await page.getByRole('button', { name: 'Create website' }).click();
  const second = page.getByRole('region', { name: 'Second Shop', exact: true });
  await expect(second).toBeVisible();

  // Website A: change the hero, then copy it with Ctrl+C.
  await page.getByRole('region', { name: firstName, exact: true }).getByRole('link', { name: 'Edit Home' }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await hydrated(page);
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Copied across sites');
  await expect(page.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();
  await canvas.getByRole('listitem', { name: 'Hero block' }).focus();
  await page.keyboard.press('ControlOrMeta+c');
  await expect(page.getByText('Hero block copied. Paste it on any page with Ctrl+V.')).toBeVisible();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(copied.format).toBe('sitepilot.block');
  expect(copied.block.type).toBe('hero');

  // Website B: select the navbar and paste with Ctrl+V; the copy lands after it and is saved.
  await page.getByRole('link', { name: '← Websites' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('region', { name: 'Second Shop', exact: true }).getByRole('link', { name: 'Edit Home' }).click();
  await expect(canvas).toBeVisible();
  await hydrated(page);
  await expect(canvas).not.toContainText('Copied across sites');
  await canvas.getByRole('listitem', { name: 'Navbar block' }).click();
  await canvas.getByRole('listitem', { name: 'Navbar block' }).focus();
  await page.keyboard.press('ControlOrMeta+v');
  await expect(page.getByText('Hero block pasted.')).toBeVisible();
  // The canvas's blocks (lists inside blocks have items of their own, without a block name).
  const names = () => canvas.getByRole('listitem', { name: / block$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).first()).toContainText('Copied across sites');
  // The paste is one undo step, saved like any edit; redo puts the block back.
  const saved = page.getByRole('status').filter({ hasText: /^Saved$/ });
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
  await expect(saved).toBeVisible();
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
  await expect(saved).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).first()).toContainText('Copied across sites');

  // A forged payload (an unsafe link) is refused by the server and nothing is added.
  await page.evaluate(async (tenant) => {
    await navigator.clipboard.writeText(JSON.stringify({
      format: 'sitepilot.block', version: 1, tenant,
      block: { type: 'cta', props: { heading: 'Click', body: '', button_label: 'Go', button_href: 'javascript:alert(1)' } },
    }));
  }, copied.tenant);
  await canvas.getByRole('listitem', { name: 'Navbar block' }).click();
  await inspector.getByRole('button', { name: 'Paste block' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /link|address|URL/i })).toBeVisible();
  await expect.poll(names).toEqual(['Navbar block', 'Hero block', 'Hero block', 'Features block', 'Gallery block', 'Footer block']);
});
