import { expect, test, type Page } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

/** Opens the home page in the builder and switches the side panel to the Pages tab. */
async function openPagesPanel(page: Page) {
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await expect(page.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Pages' }).click();
  const panel = page.getByRole('region', { name: 'Pages', exact: true });
  await expect(panel.getByRole('list', { name: 'Pages of this website' })).toBeVisible();
  return panel;
}

test('an owner adds, renames, hides, promotes and deletes pages in the Pages panel', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1800 });
  await signUp(page, 'Pages');
  const panel = await openPagesPanel(page);
  const list = panel.getByRole('list', { name: 'Pages of this website' });
  const item = (title: string) =>
    list.getByRole('listitem').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  await expect(list.getByRole('link', { name: 'Home', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(panel.getByText('1 of 5 pages on the Starter plan')).toBeVisible();

  // Add "About": the slug follows the title.
  const add = panel.getByRole('form', { name: 'Add a page' });
  await add.getByLabel('New page title').fill('About');
  await expect(add.getByLabel('New page slug')).toHaveValue('/about');
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(panel.getByText('Page “About” added as a draft.')).toBeVisible();
  await expect(item('About').getByText('/about', { exact: true })).toBeVisible();
  await expect(item('About').getByText('Draft', { exact: true })).toBeVisible();

  // The new page is selected; rename it.
  const settings = panel.getByRole('region', { name: 'Page settings' });
  await expect(settings.getByRole('heading', { name: 'Settings: About' })).toBeVisible();
  await settings.getByLabel('Title', { exact: true }).fill('About us');
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(panel.getByText('Page settings saved.')).toBeVisible();
  await expect(settings.getByRole('heading', { name: 'Settings: About us' })).toBeVisible();

  // SEO title and hiding it from the navigation.
  await settings.getByLabel('SEO title').fill('About us | Pages');
  await settings.getByLabel('Show in navigation').uncheck();
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(item('About us').getByText('Not in navigation')).toBeVisible();

  // A bad social image address is refused next to its field.
  await settings.getByLabel('Social image URL').fill('javascript:alert(1)');
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(settings.getByText('Use an image address starting with https:// or /.')).toBeVisible();
  await expect(settings.getByLabel('Social image URL')).toHaveAttribute('aria-invalid', 'true');

  // The settings survive a reload.
  await page.reload();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Pages' }).click();
  await panel.getByRole('button', { name: 'Settings for About us' }).click();
  await expect(settings.getByLabel('SEO title')).toHaveValue('About us | Pages');
  await expect(settings.getByLabel('Show in navigation')).not.toBeChecked();

  // Make it the home page: it moves to /, the old home page gets /home.
  await settings.getByRole('button', { name: 'Make this the home page' }).click();
  await expect(panel.getByText('“About us” is now the home page.')).toBeVisible();
  await expect(item('About us').getByText('/', { exact: true })).toBeVisible();
  await expect(item('About us').getByText('Home', { exact: true })).toBeVisible();
  await expect(item('Home').getByText('/home', { exact: true })).toBeVisible();
  await expect(settings.getByText('This is the home page (address /).')).toBeVisible();

  // A second page at /home is refused with the reason next to the slug.
  await add.getByLabel('New page title').fill('Home');
  await expect(add.getByLabel('New page slug')).toHaveValue('/home');
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(add.getByText('Another page already uses /home.')).toBeVisible();
  await expect(add.getByLabel('New page slug')).toHaveAttribute('aria-invalid', 'true');

  // With another address it works; then delete that page.
  await add.getByLabel('New page slug').fill('/welcome');
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(list.getByText('/welcome', { exact: true })).toBeVisible();
  await expect(settings.getByLabel('Slug', { exact: true })).toHaveValue('/welcome');
  await settings.getByRole('button', { name: 'Delete page' }).click();
  await settings.getByRole('button', { name: 'Yes, delete this page' }).click();
  await expect(panel.getByText('Page “Home” deleted.')).toBeVisible();
  await expect(list.getByText('/welcome', { exact: true })).toHaveCount(0);
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(panel.getByText('2 of 5 pages on the Starter plan')).toBeVisible();
});

test('the Starter plan stops at five pages and points to an upgrade', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await signUp(page, 'Limit');
  const panel = await openPagesPanel(page);
  const list = panel.getByRole('list', { name: 'Pages of this website' });
  const add = panel.getByRole('form', { name: 'Add a page' });

  for (const title of ['Menu', 'Team', 'Prices', 'Contact']) {
    await add.getByLabel('New page title').fill(title);
    await add.getByRole('button', { name: 'Add page' }).click();
    await expect(list.getByRole('link', { name: title, exact: true })).toBeVisible();
  }
  await expect(panel.getByText('5 of 5 pages on the Starter plan')).toBeVisible();

  await add.getByLabel('New page title').fill('Blog');
  await add.getByRole('button', { name: 'Add page' }).click();
  const alert = add.getByRole('alert');
  await expect(alert).toContainText('Your plan allows 5 pages per website on the Starter plan; the Growth plan allows 20');
  await expect(alert.getByRole('link', { name: 'See plans and upgrade' })).toHaveAttribute('href', '/billing');
  await expect(list.getByRole('listitem')).toHaveCount(5);
});

test('an owner protects a page with a password and reorders the navigation', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await signUp(page, 'Secret');
  const panel = await openPagesPanel(page);
  const list = panel.getByRole('list', { name: 'Pages of this website' });
  const add = panel.getByRole('form', { name: 'Add a page' });
  const settings = panel.getByRole('region', { name: 'Page settings' });
  const members = list.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Members', exact: true }) });

  await add.getByLabel('New page title').fill('Members');
  await add.getByRole('button', { name: 'Add page' }).click();
  await expect(settings.getByRole('heading', { name: 'Settings: Members' })).toBeVisible();

  const passwordForm = settings.getByRole('form', { name: 'Page password' });
  await passwordForm.getByLabel('Page password').fill('abc');
  await passwordForm.getByRole('button', { name: 'Set password' }).click();
  await expect(passwordForm.getByText('Use at least 6 characters for the page password.')).toBeVisible();
  await passwordForm.getByLabel('Page password').fill('open-sesame');
  await passwordForm.getByRole('button', { name: 'Set password' }).click();
  await expect(panel.getByText('Password set.')).toBeVisible();
  await expect(members.getByText('Password', { exact: true })).toBeVisible();
  await expect(passwordForm.getByText('Password protection is on for this page.')).toBeVisible();
  await expect(passwordForm.getByLabel('Page password')).toHaveValue('');

  await passwordForm.getByRole('button', { name: 'Remove password' }).click();
  await expect(panel.getByText('Password removed.')).toBeVisible();
  await expect(members.getByText('Password', { exact: true })).toHaveCount(0);

  // Navigation order: Members moves above Home and back.
  await expect(list.getByRole('link')).toHaveText(['Home', 'Members']);
  await expect(settings.getByRole('button', { name: 'Move down in navigation' })).toBeDisabled();
  await settings.getByRole('button', { name: 'Move up in navigation' }).click();
  await expect(list.getByRole('link')).toHaveText(['Members', 'Home']);
  await settings.getByRole('button', { name: 'Move down in navigation' }).click();
  await expect(list.getByRole('link')).toHaveText(['Home', 'Members']);
});
