import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

test('offline edits are kept on this device and arrive when the connection is back', async ({ page, context }) => {
  await signUp(page, 'Offline');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });

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

test('leaving the builder while offline keeps it open and says why', async ({ page, context }) => {
  await signUp(page, 'Leave');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  const websites = page.getByRole('link', { name: '← Websites' });

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

// The builder opens as the server's drawing of the page and fetches its editor right after it
// has hydrated (app/src/ui/builder/editor_ui.rs). What the editor does before then is kept.
test('blocks added and selected before the editor has downloaded are placed when it arrives', async ({ page }) => {
  await signUp(page, 'Early');
  const href = await page.getByRole('link', { name: 'Edit Home' }).getAttribute('href');
  expect(href).toMatch(/^\/builder\//);
  // The editor's download is held until the person has used the page.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const editorChunk = '**/pkg/split_sp_editor*.wasm';
  await page.route(editorChunk, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(href!);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  const faq = canvas.getByRole('listitem', { name: 'FAQ block' });
  await expect(hero.getByRole('heading', { level: 1 })).toBeVisible();

  await hero.click();
  await expect(inspector).toHaveText('Opening the editor…');
  await page.getByRole('button', { name: 'Add FAQ' }).click();
  await page.getByRole('button', { name: 'Add Call to action' }).click();
  await expect(faq).toHaveCount(0);

  release();
  // Both land where they were asked for: after the selected Hero, in that order.
  await expect(faq).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Saved', { timeout: 15_000 });
  const blocks = canvas.locator('li.canvas-block');
  const order = await blocks.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')));
  const at = order.indexOf('Hero block');
  expect(order.slice(at, at + 3)).toEqual(['Hero block', 'FAQ block', 'Call to action block']);

  await page.reload();
  await hydrated(page);
  await expect(faq).toBeVisible();
  expect(await blocks.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')))).toEqual(order);
});

test('an editor that could not be downloaded says so and loads on retry', async ({ page }) => {
  await signUp(page, 'Noeditor');
  const href = await page.getByRole('link', { name: 'Edit Home' }).getAttribute('href');
  const editorChunk = '**/pkg/split_sp_editor*.wasm';
  await page.route(editorChunk, (route) => route.abort('internetdisconnected'));
  await page.goto(href!);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const alert = inspector.getByRole('alert');
  await expect(alert).toContainText('The editor could not be downloaded');
  // The page as drawn stays on screen.
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 })).toBeVisible();

  await page.unroute(editorChunk);
  await alert.getByRole('button', { name: 'Try again' }).click();
  await hydrated(page);
  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Edited after the retry');
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 })).toHaveText('Edited after the retry');
  await expect(page.getByRole('status')).toHaveText('Saved', { timeout: 15_000 });
});
