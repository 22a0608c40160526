import { expect, test, type Locator } from '@playwright/test';
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

  await inspector.getByLabel('HTML', { exact: true }).fill('<p>Opening hours: 9 to 5</p>');
  await expect(status).toHaveText('Saved');
  // The block renders the new HTML in its sandboxed frame, and still does after a reload. The
  // canvas may rebuild the frame (a new srcdoc, the save's resync) while it is being read, which
  // detaches the frame under Playwright; reading is retried until the frame shows the text.
  await expect(block.getByTitle('Custom HTML')).toHaveAttribute('srcdoc', /Opening hours: 9 to 5/);
  await expect.poll(() => frameText(block)).toContain('Opening hours: 9 to 5');

  await page.reload();
  await hydrated(page);
  const reloaded = canvas.getByRole('listitem', { name: 'Custom HTML block' });
  await expect(reloaded).toHaveCount(1);
  await expect.poll(() => frameText(reloaded)).toContain('Opening hours: 9 to 5');
});

/** The text inside a Custom HTML block's frame, or '' while the frame is being replaced. */
async function frameText(block: Locator): Promise<string> {
  try {
    return (await block.getByTitle('Custom HTML').contentFrame().locator('body').textContent({ timeout: 1_000 })) ?? '';
  } catch {
    return '';
  }
}
