import { expect, test } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';

// "Build my site from a prompt" (issue 19): the stand-in (scripts/test.sh) answers the site
// generator's calls after 1 s each, so every step is on screen for a moment.
test('a new user builds a site from a prompt, watches the steps, reloads mid-way and opens it', async ({ page }) => {
  const tag = (await signUp(page, 'Aib')).replace(/^aib-/, '');

  // Starter holds one website: Growth has room for more (and 50 AI credits; a site costs 20).
  await page.goto('/billing');
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await page.goto('/dashboard');
  await hydrated(page);

  const form = page.getByRole('region', { name: 'New website' });
  const ai = form.getByRole('radio', { name: 'Build it with AI from a prompt' });
  await expect(ai).toBeEnabled();
  await ai.check();
  await form.getByLabel('What does the business do?').fill('A family bakery: sourdough, pastries and coffee.');
  await form.getByLabel('Who is it for?').fill('Neighbours and commuters');
  await form.getByLabel('Tone').fill('Warm and plain');
  await form.getByLabel('Pages wanted').fill('home, menu, contact');
  await form.getByLabel('Website name').fill('Crumb Bakery');
  await form.getByLabel('Address (subdomain)').fill(`crumb-${tag}`);
  await form.getByRole('button', { name: 'Build with AI' }).click();

  // The progress page: the steps arrive over Server-Sent Events as the job reaches them.
  await expect(page).toHaveURL(/\/ai\/generations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: 'Building Crumb Bakery', level: 1 })).toBeVisible();
  const steps = page.getByRole('list', { name: 'Steps' });
  await expect(steps.getByText('Planning pages', { exact: true })).toBeVisible();
  await expect(steps.getByText('Writing Home', { exact: true })).toBeVisible();
  await expect(steps.getByText('Writing Contact', { exact: true })).toHaveCount(0);

  // A reload re-attaches: the stream sends the current state first, then the rest.
  await page.reload();
  await hydrated(page);
  await expect(steps.getByText('Planning pages', { exact: true })).toBeVisible();
  for (const step of ['Writing Home', 'Writing Menu', 'Writing Contact', 'Choosing the palette', 'Saving']) {
    await expect(steps.getByText(step, { exact: true })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Progress' }).getByRole('status')).toHaveText('Crumb Bakery is ready.');

  // The new website opens in the builder with the written pages.
  await page.getByRole('link', { name: 'Open Crumb Bakery in the builder' }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas.getByRole('heading', { name: 'Home: made fresh every morning' })).toBeVisible();
  await page.goto('/dashboard');
  const site = page.getByRole('region', { name: 'Crumb Bakery', exact: true });
  for (const title of ['Home', 'Menu', 'Contact']) {
    await expect(site.getByRole('link', { name: `Edit ${title}`, exact: true })).toBeVisible();
  }
});

test('a generation can be cancelled while it runs, and the credits come back', async ({ page }) => {
  const tag = (await signUp(page, 'Aic')).replace(/^aic-/, '');
  await page.goto('/billing');
  await hydrated(page);
  await page.getByRole('button', { name: 'Upgrade to Growth' }).click();
  await expect(page.getByText('Websites: 1 of 3')).toBeVisible();
  await page.goto('/dashboard');
  await hydrated(page);
  const form = page.getByRole('region', { name: 'New website' });
  await form.getByRole('radio', { name: 'Build it with AI from a prompt' }).check();
  await form.getByLabel('What does the business do?').fill('A bike repair shop');
  await form.getByLabel('Pages wanted').fill('home, prices, contact');
  await form.getByLabel('Website name').fill('Spoke Shop');
  await form.getByLabel('Address (subdomain)').fill(`spoke-${tag}`);
  await form.getByRole('button', { name: 'Build with AI' }).click();
  const steps = page.getByRole('list', { name: 'Steps' });
  await expect(steps.getByText('Planning pages', { exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('region', { name: 'Progress' }).getByRole('status')).toHaveText('Cancelled. No credits were used.');
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  // Nothing was saved: the dashboard still lists only the first website.
  await page.getByRole('link', { name: 'Back to your websites' }).click();
  await expect(page.getByRole('region', { name: 'Spoke Shop', exact: true })).toHaveCount(0);
});

test('an editor writes a new page from a prompt in the Pages panel and opens it', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1800 });
  await signUp(page, 'Aip');
  await page.getByRole('link', { name: 'Edit Home' }).click();
  await expect(page.getByRole('main', { name: 'Canvas' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Pages' }).click();
  const panel = page.getByRole('region', { name: 'Pages', exact: true });
  const form = panel.getByRole('form', { name: 'New page from a prompt' });
  await form.getByLabel('Describe the page').fill('opening hours and how to find us');
  await form.getByRole('button', { name: 'Write page with AI' }).click();
  await expect(panel.getByText('Page “Opening hours and” written by the assistant and added as a draft.')).toBeVisible();
  const list = panel.getByRole('list', { name: 'Pages of this website' });
  const item = list.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Opening hours and', exact: true }) });
  await expect(item.getByText('/opening-hours-and', { exact: true })).toBeVisible();
  await expect(item.getByText('Draft', { exact: true })).toBeVisible();
  // It counts against the plan's pages like any other.
  await expect(panel.getByText('2 of 5 pages on the Starter plan')).toBeVisible();
  await item.getByRole('link', { name: 'Opening hours and', exact: true }).click();
  await expect(page.getByRole('main', { name: 'Canvas' }).getByRole('heading', { name: 'Opening hours and, at a glance' })).toBeVisible();
});
