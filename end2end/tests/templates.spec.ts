import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

test('a new user creates a site from the restaurant template, publishes it, saves it as a template and reuses it', async ({ page, context }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  const tag = (await signUp(page, 'Tmpl')).replace(/^tmpl-/, '');
  const form = page.getByRole('region', { name: 'New website' });

  // The gallery: blank or one of the templates, each with a thumbnail drawn by the renderer.
  const gallery = form.getByRole('group', { name: 'Start from' });
  await expect(gallery.getByRole('radio', { name: 'Blank website' })).toBeChecked();
  const builtin = gallery.getByRole('list', { name: 'Templates', exact: true });
  await expect(builtin.getByRole('radio')).toHaveCount(8);
  const restaurant = builtin.getByRole('listitem').filter({ has: page.getByRole('radio', { name: 'Trattoria Nonna Rosa' }) });
  await expect(restaurant).toContainText('Pages: Home, Menu, Our story, Reservations');
  await restaurant.scrollIntoViewIfNeeded();
  // The thumbnail frame has no role (it is decorative); it is reached by its address.
  const thumbnail = page.frameLocator('iframe[src="/preview/templates/restaurant/?thumbnail"]');
  await expect(thumbnail.getByRole('heading', { level: 1 })).toHaveText('Handmade pasta, the way Nonna taught us');

  // The live preview renders every page of the template, and saves nothing.
  const opening = context.waitForEvent('page');
  await restaurant.getByRole('link', { name: 'Live preview of Trattoria Nonna Rosa' }).click();
  const preview = await opening;
  await expect(preview.getByRole('note')).toContainText('Preview of the template “Trattoria Nonna Rosa”');
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('Handmade pasta, the way Nonna taught us');
  await preview.getByRole('link', { name: 'Menu', exact: true }).first().click();
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('Our menu');
  await expect(preview.getByText('Pappardelle, wild boar ragù')).toBeVisible();
  await preview.close();

  // Starter holds one website: the limit names the upgrade.
  await gallery.getByRole('radio', { name: 'Trattoria Nonna Rosa' }).check();
  await form.getByLabel('Address (subdomain)').fill(`nonna-${tag}`);
  await form.getByRole('button', { name: 'Create website' }).click();
  const limit = form.getByRole('alert');
  await expect(limit).toContainText('Your plan allows 1 website on the Starter plan');
  await limit.getByRole('link', { name: 'Upgrade to Growth on the Billing page' }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await page.goto('/dashboard');
  await hydrated(page);

  await gallery.getByRole('radio', { name: 'Trattoria Nonna Rosa' }).check();
  await form.getByLabel('Address (subdomain)').fill(`nonna-${tag}`);
  await form.getByRole('button', { name: 'Create website' }).click();
  const site = page.getByRole('region', { name: 'Trattoria Nonna Rosa', exact: true });
  await expect(site.getByText(`nonna-${tag}`)).toBeVisible();
  for (const title of ['Home', 'Menu', 'Our story', 'Reservations']) {
    await expect(site.getByRole('link', { name: `Edit ${title}`, exact: true })).toBeVisible();
  }

  // Publish from the builder, then the visitor sees the restaurant's pages.
  await site.getByRole('link', { name: 'Edit Home', exact: true }).click();
  await expect(page.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
  const visitor = await context.newPage();
  const home = await visitor.goto(siteUrl(`nonna-${tag}`));
  expect(home?.status()).toBe(200);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Handmade pasta, the way Nonna taught us');
  await visitor.getByRole('link', { name: 'Menu', exact: true }).first().click();
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Our menu');
  await expect(visitor.getByText('Pappardelle, wild boar ragù')).toBeVisible();
  await visitor.goto(siteUrl(`nonna-${tag}`, '/reservations'));
  await expect(visitor.getByRole('heading', { name: 'Book a table' })).toBeVisible();
  await visitor.close();

  // Save the site as a private template for the team, and start a new site from it.
  await page.goto('/dashboard');
  await hydrated(page);
  const save = site.getByRole('form', { name: 'Save Trattoria Nonna Rosa as a template' });
  await save.getByLabel('Template name').fill('Our trattoria style');
  await save.getByRole('button', { name: 'Save as template' }).click();
  await expect(save.getByRole('status')).toContainText('Saved.');
  const own = gallery.getByRole('list', { name: 'Your templates', exact: true });
  await expect(own.getByRole('radio', { name: 'Our trattoria style' })).toBeVisible();
  await own.getByRole('radio', { name: 'Our trattoria style' }).check();
  await form.getByLabel('Website name').fill('Trattoria Due');
  await form.getByLabel('Address (subdomain)').fill(`due-${tag}`);
  await form.getByRole('button', { name: 'Create website' }).click();
  const second = page.getByRole('region', { name: 'Trattoria Due', exact: true });
  await expect(second.getByText(`due-${tag}`)).toBeVisible();
  await expect(second.getByRole('link', { name: 'Edit Reservations', exact: true })).toBeVisible();

  // The team's template can be deleted; the site made from it stays.
  await own.getByRole('button', { name: 'Delete the template Our trattoria style' }).click();
  await gallery.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(gallery.getByRole('status')).toHaveText('Template deleted.');
  await expect(gallery.getByRole('radio', { name: 'Our trattoria style' })).toHaveCount(0);
  await expect(second.getByText(`due-${tag}`)).toBeVisible();
});
