import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

// A password-protected page on the visitor site: the unlock form is plain HTML, so a visitor
// without JavaScript can use it. The owner's setup (sign-up, builder) needs JavaScript, so it
// runs in its own JS-enabled context; the visitor is this test's no-JS page.

test('a visitor without JavaScript unlocks a password-protected page', async ({ browser, page }) => {
  test.setTimeout(90_000);
  const owner = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 1400, height: 1600 } });
  const builder = await owner.newPage();
  const subdomain = await signUp(builder, 'Lock');

  // Pages tab: add "Members", publish it (status), protect it with a password.
  await builder.getByRole('link', { name: 'Edit Home' }).click();
  await expect(builder.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(builder);
  await builder.getByRole('tab', { name: 'Pages' }).click();
  const panel = builder.getByRole('region', { name: 'Pages', exact: true });
  const add = panel.getByRole('form', { name: 'Add a page' });
  await add.getByLabel('New page title').fill('Members');
  await add.getByRole('button', { name: 'Add page' }).click();
  const settings = panel.getByRole('region', { name: 'Page settings' });
  await expect(settings.getByRole('heading', { name: 'Settings: Members' })).toBeVisible();
  await settings.getByLabel('Status').selectOption({ label: 'Published' });
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(panel.getByText('Page settings saved.')).toBeVisible();
  const passwordForm = settings.getByRole('form', { name: 'Page password' });
  await passwordForm.getByLabel('Page password').fill('open-sesame');
  await passwordForm.getByRole('button', { name: 'Set password' }).click();
  await expect(panel.getByText('Password set.')).toBeVisible();

  // Open the page in the builder, give it some content, publish.
  await panel.getByRole('link', { name: 'Members', exact: true }).click();
  await hydrated(builder);
  await builder.getByRole('button', { name: 'Add Text', exact: true }).click();
  await expect(builder.getByRole('status')).toHaveText('Saved');
  const inspector = builder.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByLabel('Heading', { exact: true }).fill('Members only news');
  const canvas = builder.getByRole('main', { name: 'Canvas' });
  await expect(canvas.getByRole('listitem', { name: 'Text block' }).filter({ hasText: 'Members only news' })).toBeVisible();
  await expect(builder.getByRole('status')).toHaveText('Saved');
  await builder.getByRole('button', { name: 'Publish' }).click();
  await expect(builder.getByText('Published.')).toBeVisible();
  await owner.close();

  // The visitor (no JavaScript) sees the password form, not the page.
  const locked = await page.goto(siteUrl(subdomain, '/members'));
  expect(locked?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  await expect(page.getByText('Members only news')).toHaveCount(0);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Unlock page' }).click();
  await expect(page.getByRole('alert')).toHaveText('That password is not right.');
  await expect(page.getByText('Members only news')).toHaveCount(0);

  await page.getByLabel('Password').fill('open-sesame');
  await page.getByRole('button', { name: 'Unlock page' }).click();
  await expect(page.getByRole('heading', { name: 'Members only news' })).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe('/members');

  // The unlock lasts: coming back shows the page straight away.
  const again = await page.goto(siteUrl(subdomain, '/members'));
  expect(again?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Members only news' })).toBeVisible();
});
