import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('after upgrading to Pro in test mode, an owner adds a Custom HTML block and edits its HTML', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, 'Html');
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await hydrated(page);
  await expect(page.getByText('Test mode — no real payment')).toBeVisible();
  await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
  const current = page.getByRole('region', { name: 'Current plan' });
  await expect(current.getByRole('definition').first()).toHaveText('Pro');
  await expect(page.getByRole('list', { name: 'Pro includes' })).toContainText('Custom HTML blocks');

  await page.getByRole('link', { name: 'Your websites' }).click();
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Add Custom HTML', exact: true }).click();
  await expect(status).toHaveText('Saved');
  await expect(inspector.getByRole('heading', { name: 'Custom HTML', exact: true })).toBeVisible();
  const block = canvas.getByRole('listitem', { name: 'Custom HTML block' });
  await expect(block).toHaveCount(1);
  // The new block shows its starter markup in its sandboxed frame.
  await expect(block.getByTitle('Custom HTML').contentFrame().getByRole('heading', { name: 'Your own HTML' })).toBeVisible();

  await inspector.getByLabel('HTML', { exact: true }).fill('<p>Opening hours: 9 to 5</p>');
  await expect(status).toHaveText('Saved');
  // The canvas hands the new markup to the block's sandboxed frame. It does so by replacing the
  // frame, and Playwright 1.65 with Chromium 156 sometimes never attaches to a sandboxed
  // (out-of-process) frame that replaced another one: reading it hangs, while a person sees the
  // text. So the rendered text is read after the reload, where the frame is created once.
  await expect(block.getByTitle('Custom HTML')).toHaveAttribute('srcdoc', /Opening hours: 9 to 5/);

  await page.reload();
  await hydrated(page);
  const reloaded = canvas.getByRole('listitem', { name: 'Custom HTML block' });
  await expect(reloaded).toHaveCount(1);
  await expect(reloaded.getByTitle('Custom HTML').contentFrame().getByText('Opening hours: 9 to 5')).toBeVisible();
});

