import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// The builder fetches its panels and the inspector's form in the background once it is open, so
// after that the connection may drop before anything is selected. Call before opening the
// builder; the returned function waits until the inspector's files (release builds are split:
// wasm-split's manifest names them) have downloaded.
function inspectorDownloads(page: Page): () => Promise<void> {
  const downloaded = new Set<string>();
  page.on('requestfinished', (r) => downloaded.add(new URL(r.url()).pathname));
  return async () => {
    const manifest: Record<string, string[]> = await (await page.request.get('/pkg/__wasm_split_manifest.json')).json();
    const inspectorFiles = manifest.sp_block_inspector.map((chunk) => `/pkg/${chunk}.wasm`);
    expect(inspectorFiles.length).toBeGreaterThan(0);
    await expect.poll(() => inspectorFiles.filter((f) => !downloaded.has(f))).toEqual([]);
  };
}

test('offline edits are kept on this device and arrive when the connection is back', async ({ page, context }) => {
  const inspectorReady = inspectorDownloads(page);
  await signUp(page, 'Offline');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await inspectorReady();

  await context.setOffline(true);
  await hero.click();
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

test('a part of the builder that could not be downloaded says so and loads on retry', async ({ page }) => {
  await signUp(page, 'Chunk');
  // The inspector's form is its own download; here every attempt to fetch it fails.
  const chunk = '**/pkg/split_sp_block_inspector*.wasm';
  await page.route(chunk, (route) => route.abort('internetdisconnected'));
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });

  await hero.click();
  await expect(inspector.getByRole('alert')).toContainText('could not be downloaded');
  // The rest of the builder still works: the canvas can be used and other panels open.
  await page.getByRole('tablist', { name: 'Builder panels' }).getByRole('tab', { name: 'Branding' }).click();
  await expect(page.getByRole('heading', { name: 'Branding', exact: true })).toBeVisible();

  await page.unroute(chunk);
  await inspector.getByRole('button', { name: 'Try again' }).click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Loaded on the second try');
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Loaded on the second try');
  await expect(page.getByRole('status')).toHaveText('Saved', { timeout: 15_000 });
});

test('leaving the builder while offline keeps it open and says why', async ({ page, context }) => {
  const inspectorReady = inspectorDownloads(page);
  await signUp(page, 'Leave');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  const websites = page.getByRole('link', { name: '← Websites' });
  await inspectorReady();

  await context.setOffline(true);
  await websites.click();
  await expect(page.getByRole('alert')).toHaveText(
    'You are offline, so your websites cannot open. Your changes are kept on this device.',
  );
  // Still the working builder: an edit is made and kept on the device.
  await hero.click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Made after trying to leave');
  await expect(status).toHaveText('Offline — changes kept on this device');
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Made after trying to leave');

  await context.setOffline(false);
  await expect(status).toHaveText('Saved', { timeout: 15_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await websites.click();
  await expect(page.getByRole('heading', { name: 'Your websites', level: 1 })).toBeVisible();
  await hydrated(page);
});
