import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder } from './builder-helpers';
import { uniqueEmail } from './helpers';

// The team demo organisation (server/src/seed.rs) is on the Pro plan, so it can invite people.
async function logInAsTeamOwner(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('team@sitepilot.test');
  await page.getByLabel('Password').fill('sitepilot-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Your websites' })).toBeVisible();
}

test('an owner invites an editor who joins, edits but cannot publish, then is deactivated; the audit log shows it all', async ({ page, browser, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const editorEmail = uniqueEmail('editor');

  // The owner invites an editor from the team page.
  await logInAsTeamOwner(page);
  await page.getByRole('link', { name: 'Team', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Email address').fill(editorEmail);
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${editorEmail}.`)).toBeVisible();
  const invitations = page.getByRole('region', { name: 'Invitations' });
  await expect(invitations.getByRole('listitem').filter({ hasText: editorEmail })).toContainText('pending');

  // The email is in the outbox; the owner copies its link.
  const linkField = page.getByRole('textbox', { name: `Invite link for ${editorEmail}` });
  await expect(linkField).toHaveValue(/\/invite\/[0-9a-f]{64}$/);
  await page.getByRole('button', { name: `Copy invite link for ${editorEmail}` }).click();
  await expect(page.getByText('Invite link copied.')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await linkField.inputValue());

  // The editor, in their own browser, accepts and lands on the dashboard.
  const editorContext = await browser.newContext();
  const editor = await editorContext.newPage();
  await editor.goto(link);
  await expect(editor.getByRole('heading', { name: 'Join Team Demo on SitePilot' })).toBeVisible();
  await hydrated(editor);
  await editor.getByLabel('Your name').fill('Eddie Editor');
  await editor.getByLabel('Password').fill('editor-horse-42');
  await editor.getByRole('button', { name: 'Join the team' }).click();
  await expect(editor.getByRole('heading', { name: 'Your websites' })).toBeVisible();

  // The link cannot be used twice.
  const again = await editorContext.newPage();
  await again.goto(link);
  await expect(again.getByRole('heading', { name: 'This invitation has already been used' })).toBeVisible();
  await again.close();

  // The editor edits the home page, but has no Publish button.
  await openHomeInBuilder(editor);
  const canvas = editor.getByRole('main', { name: 'Canvas' });
  const inspector = editor.getByRole('complementary', { name: 'Inspector' });
  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Edited by the new editor');
  await expect(canvas.getByRole('heading', { name: 'Edited by the new editor' })).toBeVisible();
  await expect(editor.getByRole('status')).toHaveText('Saved');
  await expect(editor.getByRole('button', { name: 'Publish' })).toHaveCount(0);

  // The owner sees the new member and deactivates them.
  await page.reload();
  await hydrated(page);
  const row = page.getByRole('row').filter({ hasText: editorEmail });
  await expect(row).toContainText('Eddie Editor');
  await expect(row.getByRole('combobox', { name: `Role of ${editorEmail}` })).toHaveValue('editor');
  await row.getByRole('button', { name: `Deactivate ${editorEmail}` }).click();
  await expect(page.getByText(`${editorEmail} was deactivated and signed out.`)).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: editorEmail })).toContainText('Deactivated');

  // The editor's open session no longer works: reloading the builder sends them to log in,
  // and logging in again is refused.
  await editor.reload();
  await expect(editor.getByRole('heading', { name: 'Log in to SitePilot' })).toBeVisible();
  await hydrated(editor);
  await editor.getByLabel('Email').fill(editorEmail);
  await editor.getByLabel('Password').fill('editor-horse-42');
  await editor.getByRole('button', { name: 'Log in' }).click();
  await expect(editor.getByText('This account has been deactivated.')).toBeVisible();
  await editorContext.close();

  // The owner's audit log shows each step.
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const entries = page.getByRole('table', { name: 'Audit entries' });
  for (const action of ['user.invited', 'user.invitation_accepted', 'user.deactivated', 'user.login_failed']) {
    await expect(entries.getByRole('row').filter({ hasText: action }).filter({ hasText: editorEmail }).first()).toBeVisible();
  }
  await expect(entries.getByRole('row').filter({ hasText: 'user.login' }).filter({ hasText: 'Team Owner' }).first()).toBeVisible();

  // Filtering by action narrows the list.
  await hydrated(page);
  await page.getByLabel('Action').selectOption('user.deactivated');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(entries.getByRole('row').filter({ hasText: 'user.invited' })).toHaveCount(0);
  await expect(entries.getByRole('row').filter({ hasText: editorEmail })).toHaveCount(1);
});

test('settings: dark theme applies across the app and an invalid avatar is refused', async ({ page }) => {
  await logInAsTeamOwner(page);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await hydrated(page);

  await page.getByLabel('Avatar URL').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Use an image address starting with https://')).toBeVisible();

  await page.getByLabel('Theme').selectOption('dark');
  await page.getByLabel('Builder default device view').selectOption('mobile');
  await page.getByLabel('Publishing').uncheck();
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Preferences saved.')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  // Kept after a reload and applied on other pages too.
  await page.goto('/dashboard');
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.goto('/settings');
  await hydrated(page);
  await expect(page.getByLabel('Theme')).toHaveValue('dark');
  await expect(page.getByLabel('Builder default device view')).toHaveValue('mobile');
  await expect(page.getByLabel('Publishing')).not.toBeChecked();

  // Back to light, so other runs start from the default.
  await page.getByLabel('Theme').selectOption('light');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});
