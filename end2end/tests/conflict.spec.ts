import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

test('two editors on one page: the stale one sees the conflict and chooses what happens', async ({ browser }) => {
  const first = await browser.newContext();
  const a = await first.newPage();
  await signUp(a, 'Conflict');
  await a.getByRole('link', { name: 'Edit Home' }).click();
  await hydrated(a);
  const url = a.url();

  // The same account in a second browser context (another tab or device), same page.
  const second = await browser.newContext({ storageState: await first.storageState() });
  const b = await second.newPage();
  // This tab has no realtime connection (as when the event stream is blocked): it learns of the
  // other tab's saves only when its own save is refused. With the stream it would pull them in
  // live (realtime.spec.ts).
  await b.route(/\/events\?/, (route) => route.abort());
  await b.route(/\/api\/builder\/presence/, (route) => route.abort());
  await b.goto(url);
  await hydrated(b);

  const heading = (p: typeof a) => p.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true });
  const hero = (p: typeof a) => p.getByRole('main', { name: 'Canvas' }).getByRole('listitem', { name: 'Hero block' });

  await hero(a).click();
  await heading(a).fill('From the first tab');
  await expect(a.getByRole('status')).toHaveText('Saved');

  // The second tab still has the old revision: its edit is refused, not silently applied.
  await b.getByRole('main', { name: 'Canvas' }).getByRole('listitem', { name: 'Features block' }).click();
  await heading(b).fill('Second tab features');
  await expect(b.getByRole('status')).toContainText('changed');
  await expect(b.getByRole('button', { name: 'Keep my changes' })).toBeVisible();

  // Keep my changes: mine go on top of the newest version, and theirs stay.
  await b.getByRole('button', { name: 'Keep my changes' }).click();
  await expect(b.getByRole('status')).toHaveText('Saved');
  await expect(hero(b).getByRole('heading', { level: 1 })).toHaveText('From the first tab');
  await a.reload();
  await hydrated(a);
  await expect(a.getByRole('main', { name: 'Canvas' }).getByRole('heading', { name: 'Second tab features' })).toBeVisible();
  await expect(hero(a).getByRole('heading', { level: 1 })).toHaveText('From the first tab');

  // Again, and this time take their version.
  await hero(a).click();
  await heading(a).fill('First tab, second edit');
  await expect(a.getByRole('status')).toHaveText('Saved');
  await hero(b).click();
  await heading(b).fill('This one gets dropped');
  await expect(b.getByRole('button', { name: 'Reload their version' })).toBeVisible();
  await b.getByRole('button', { name: 'Reload their version' }).click();
  await expect(hero(b).getByRole('heading', { level: 1 })).toHaveText('First tab, second edit');
  await expect(b.getByRole('status')).toHaveText('Saved');

  await first.close();
  await second.close();
});
