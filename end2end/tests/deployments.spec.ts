import { expect, test, type Page } from '@playwright/test';
import { openHomeInBuilder, signUp } from './builder-helpers';

/** Types a new hero heading in the inspector and waits until the draft is saved. */
async function setHeading(page: Page, text: string) {
  await page.getByRole('listitem', { name: 'Hero block' }).click();
  await page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true }).fill(text);
  await expect(page.getByRole('status')).toHaveText('Saved');
}

/** Publishes with notes and waits for the new deployment's confirmation. */
async function publish(page: Page, notes: string): Promise<string> {
  const result = page.getByText('Published.');
  const before = (await result.count()) > 0 ? await result.innerText() : '';
  await page.getByLabel('Publish notes (optional)').fill(notes);
  await page.getByRole('button', { name: 'Publish' }).click();
  // The earlier confirmation goes away first, then the new deployment's appears.
  await expect(result).not.toHaveText(before);
  await expect(result).toBeVisible();
  await expect(result).not.toHaveText(before);
  await expect(page.getByRole('link', { name: 'View live site' })).toBeVisible();
  // The notes field is emptied for the next publish.
  await expect(page.getByLabel('Publish notes (optional)')).toHaveValue('');
  return result.innerText();
}

test('a new user publishes twice, rolls back to the first deployment and previews deployments', async ({ page, context }) => {
  await page.setViewportSize({ width: 1400, height: 1200 });
  const subdomain = await signUp(page, 'Deploy');
  await openHomeInBuilder(page);
  const visitor = await context.newPage();
  const visitorHeading = visitor.getByRole('heading', { level: 1 });

  await setHeading(page, 'Fresh bread every morning');
  const first = await publish(page, 'First version');
  expect(first).toMatch(/Deployment [0-9a-f]{8} is live with 1 page/);
  await visitor.goto(`/sites/${subdomain}/`);
  await expect(visitorHeading).toHaveText('Fresh bread every morning');

  // A draft change does not reach visitors until it is published.
  await setHeading(page, 'Now with pastries');
  await visitor.reload();
  await expect(visitorHeading).toHaveText('Fresh bread every morning');

  await publish(page, 'Second version');
  await visitor.reload();
  await expect(visitorHeading).toHaveText('Now with pastries');

  // The Deployments tab lists both, newest first, the second one live.
  await page.getByRole('tab', { name: 'Deployments' }).click();
  const list = page.getByRole('list', { name: 'Deployments' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  const firstItem = list.getByRole('listitem').filter({ hasText: 'First version' });
  const secondItem = list.getByRole('listitem').filter({ hasText: 'Second version' });
  await expect(list.getByRole('listitem').first()).toContainText('Second version');
  await expect(secondItem.getByText('Live', { exact: true })).toBeVisible();
  await expect(secondItem).toContainText('By Pat Owner · 1 page');
  await expect(firstItem.getByText('Live', { exact: true })).toHaveCount(0);
  await expect(secondItem.getByRole('button', { name: 'Roll back to this' })).toHaveCount(0);

  // Rolling back asks first; cancelling changes nothing.
  await firstItem.getByRole('button', { name: 'Roll back to this' }).click();
  await expect(firstItem.getByText(/Make the deployment from .* live again\?/)).toBeVisible();
  await firstItem.getByRole('button', { name: 'Cancel' }).click();
  await expect(firstItem.getByRole('button', { name: 'Yes, roll back' })).toHaveCount(0);
  await visitor.reload();
  await expect(visitorHeading).toHaveText('Now with pastries');

  await firstItem.getByRole('button', { name: 'Roll back to this' }).click();
  await firstItem.getByRole('button', { name: 'Yes, roll back' }).click();
  await expect(page.getByText('Rolled back.')).toBeVisible();
  await expect(firstItem.getByText('Live', { exact: true })).toBeVisible();
  await expect(secondItem.getByText('Live', { exact: true })).toHaveCount(0);
  await visitor.reload();
  await expect(visitorHeading).toHaveText('Fresh bread every morning');

  // The draft still holds the newer text: a rollback changes only what visitors see.
  await expect(page.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 }))
    .toHaveText('Now with pastries');

  // Preview the deployment that is no longer live: its content, under a banner.
  const [preview] = await Promise.all([
    context.waitForEvent('page'),
    secondItem.getByRole('link', { name: 'Preview' }).click(),
  ]);
  await expect(preview.getByRole('note')).toContainText('Preview of the deployment from');
  await expect(preview.getByRole('note')).toContainText('(not live)');
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('Now with pastries');
  await expect(preview.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');

  // Visitors still get the rolled-back version.
  await visitor.reload();
  await expect(visitorHeading).toHaveText('Fresh bread every morning');
  await expect(visitor.getByText('Preview of the deployment')).toHaveCount(0);
});
