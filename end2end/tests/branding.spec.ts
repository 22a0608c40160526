import { expect, test, type Locator } from '@playwright/test';
import { hydrated, signUp } from './builder-helpers';
import { siteUrl } from './helpers';

/** The computed background image of the navbar home link's ::before, where the branding logo is drawn. */
const logoOf = (el: Locator) => el.evaluate((e) => getComputedStyle(e, '::before').backgroundImage);

test('a new user rebrands the site: the canvas restyles at once, the branding persists and is published', async ({ page, context }) => {
  const subdomain = await signUp(page, 'Brand');
  // signUp names the organisation "Brand <tag>"; the navbar shows that name as its home link.
  const siteName = `Brand ${subdomain.replace(/^brand-/, '')}`;
  await page.getByRole('link', { name: 'Edit Home' }).click();
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  await hydrated(page);

  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  const heroButton = hero.getByRole('link', { name: 'Get started' });
  const heroHeading = hero.getByRole('heading', { level: 1 });
  await expect(heroButton).toHaveCSS('background-color', 'rgb(79, 70, 229)');

  await page.getByRole('tab', { name: 'Branding' }).click();
  await expect(page.getByRole('tab', { name: 'Branding' })).toHaveAttribute('aria-selected', 'true');
  const panel = page.getByRole('region', { name: 'Branding' });
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#4F46E5');

  // Typing a hex code restyles the canvas straight away, and the picker follows.
  await panel.getByLabel('Primary colour hex code').fill('#0e7c66');
  await expect(heroButton).toHaveCSS('background-color', 'rgb(14, 124, 102)');
  await expect(panel.getByLabel('Primary colour', { exact: true })).toHaveValue('#0e7c66');

  await panel.getByLabel('Heading font').selectOption('Courier New');
  await expect(heroHeading).toHaveCSS('font-family', /Courier New/);

  // The picker works too.
  await panel.getByLabel('Accent colour', { exact: true }).fill('#ff8800');
  await expect(panel.getByLabel('Accent colour hex code')).toHaveValue('#ff8800');

  await panel.getByLabel('Logo image URL').fill('/starter/gallery-2.svg');
  await expect.poll(() => logoOf(canvas.getByRole('link', { name: siteName, exact: true }))).toContain('/starter/gallery-2.svg');
  await expect(panel.getByText('Branding saved')).toBeVisible();

  // A malformed value is explained next to its field and not saved.
  await panel.getByLabel('Button radius').fill('8px;}');
  await expect(panel.getByText('Use a length like 8px, 0.5rem or 0.')).toBeVisible();
  await expect(panel.getByLabel('Button radius')).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByText('Not saved: fix the highlighted field.')).toBeVisible();
  await panel.getByLabel('Button radius').fill('0');
  await expect(heroButton).toHaveCSS('border-top-left-radius', '0px');
  await expect(panel.getByText('Use a length like 8px, 0.5rem or 0.')).toHaveCount(0);
  await expect(panel.getByText('Branding saved')).toBeVisible();

  // After a reload the builder opens with the saved branding.
  await page.reload();
  await hydrated(page);
  await expect(heroButton).toHaveCSS('background-color', 'rgb(14, 124, 102)');
  await expect(heroHeading).toHaveCSS('font-family', /Courier New/);
  await expect(heroButton).toHaveCSS('border-top-left-radius', '0px');
  await page.getByRole('tab', { name: 'Branding' }).click();
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#0e7c66');
  await expect(panel.getByLabel('Heading font')).toHaveValue('Courier New');
  await expect(panel.getByLabel('Accent colour hex code')).toHaveValue('#ff8800');
  await expect(panel.getByLabel('Logo image URL')).toHaveValue('/starter/gallery-2.svg');

  // Visitors see the new branding once it is published.
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();
  const visitor = await context.newPage();
  await visitor.goto(siteUrl(subdomain));
  await expect(visitor.getByRole('link', { name: 'Get started' })).toHaveCSS('background-color', 'rgb(14, 124, 102)');
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveCSS('font-family', /Courier New/);
  await expect.poll(() => logoOf(visitor.getByRole('link', { name: siteName, exact: true }))).toContain('/starter/gallery-2.svg');
});
