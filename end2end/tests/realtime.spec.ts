import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// Realtime (issue 21): two browser contexts on one builder page see each other (presence and
// selection), one's saved edit appears in the other's canvas without a reload or a conflict,
// and a publish in one shows its live status in the other and on the dashboard.

const canvas = (p: Page) => p.getByRole('main', { name: 'Canvas' });
const block = (p: Page, name: string) => canvas(p).getByRole('listitem', { name });
const others = (p: Page) => p.getByRole('list', { name: 'Also on this page' }).getByRole('listitem');
const heading = (p: Page) =>
  p.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true });

test('two people on one page see each other, each other’s edits and the publish, live', async ({ browser }) => {
  const first = await browser.newContext();
  const a = await first.newPage();
  await signUp(a, 'Live');
  // A dashboard in a third tab, to see the publish there too.
  const dashboard = await first.newPage();
  await dashboard.goto('/dashboard');
  await hydrated(dashboard);
  await openHomeInBuilder(a);
  const url = a.url();

  // The same person in a second browser (another device), on the same page.
  const second = await browser.newContext({ storageState: await first.storageState() });
  const b = await second.newPage();
  await b.goto(url);
  await hydrated(b);

  // Presence: each sees the other's tab, with initials and the name as its label.
  await expect(others(a)).toHaveCount(1);
  await expect(others(a)).toHaveText('PO');
  await expect(others(b)).toHaveCount(1);
  await expect(others(b).first()).toHaveAttribute('aria-label', 'Pat Owner');

  // Selection: b selects the Features block; a sees who has it selected, on the block and
  // in the presence list.
  await block(b, 'Features block').click();
  await expect(block(a, 'Features block')).toContainText('Selected by PO');
  await expect(others(a).first()).toHaveAttribute('aria-label', 'Pat Owner (selected: Features block)');

  // Soft lock: selecting it in a asks first.
  await block(a, 'Features block').click();
  const lock = a.getByRole('complementary', { name: 'Inspector' }).getByRole('alert');
  await expect(lock).toContainText('Pat Owner has this block selected');
  await expect(heading(a)).toHaveCount(0);
  await lock.getByRole('button', { name: 'Edit anyway' }).click();
  await expect(heading(a)).toBeVisible();

  // Page changed: a edits the hero; b's canvas follows without a reload and without a conflict.
  await block(a, 'Hero block').click();
  await heading(a).fill('Fresh from the other tab');
  await expect(a.getByRole('status')).toHaveText('Saved');
  await expect(block(b, 'Hero block').getByRole('heading', { level: 1 })).toHaveText('Fresh from the other tab');
  await expect(b.getByRole('status')).toHaveText('Saved');
  await expect(b.getByRole('button', { name: 'Keep my changes' })).toHaveCount(0);

  // b's own next edit goes through on top of it (its revision followed along).
  await block(b, 'Hero block').click();
  // a still has the hero selected: b is asked first.
  await b.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Edit anyway' }).click();
  await heading(b).fill('Second tab, after the live update');
  await expect(b.getByRole('status')).toHaveText('Saved');
  await expect(block(a, 'Hero block').getByRole('heading', { level: 1 })).toHaveText('Second tab, after the live update');

  // Deploy status: a publishes; b and the dashboard show it live.
  await a.getByRole('button', { name: 'Publish' }).click();
  await expect(a.getByText('Published.')).toBeVisible();
  await expect(b.getByRole('region', { name: 'Live publish status' })).toContainText(/is published: deployment [0-9a-f]{8} is live/);
  await expect(dashboard.getByRole('region', { name: 'Live publish status' })).toContainText('is published');

  // b leaves: a no longer lists it.
  await second.close();
  await expect(others(a)).toHaveCount(0, { timeout: 45_000 });
  await first.close();
});
