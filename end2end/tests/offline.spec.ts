import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('offline edits are kept on this device and arrive when the connection is back', async ({ page, context }) => {
  await signUp(page, 'Offline');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();

  await context.setOffline(true);
  await inspector.getByLabel('Heading', { exact: true }).fill('Written on the train');
  await inspector.getByLabel('Subheading', { exact: true }).fill('No signal, no problem');
  await expect(status).toHaveText('Offline — changes kept on this device');
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Written on the train');

  await context.setOffline(false);
  await expect(status).toHaveText('Saved', { timeout: 15_000 });
  await page.reload();
  await hydrated(page);
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Written on the train');
  await expect(hero.getByText('No signal, no problem')).toBeVisible();
});

test('unsent edits survive a reload and are sent once the server can be reached', async ({ page }) => {
  await signUp(page, 'Reload');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });

  // Saving fails at the network level (the page itself still loads).
  await page.route('**/api/builder/update', (route) => route.abort('internetdisconnected'));
  await hero.click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Kept in this browser');
  await expect(status).toHaveText('Offline — changes kept on this device');

  await page.reload();
  await hydrated(page);
  // The server does not have it yet; this browser does, and shows it.
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Kept in this browser');
  await expect(status).toHaveText('Offline — changes kept on this device');

  await page.unroute('**/api/builder/update');
  await page.getByRole('button', { name: 'Retry now' }).click();
  await expect(status).toHaveText('Saved');
  await page.reload();
  await hydrated(page);
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Kept in this browser');
  await expect(status).toHaveText('Saved');
});
