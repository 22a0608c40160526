import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// Every kind a Starter plan can place, as the palette names them (ComponentKind::label).
const KINDS = [
  'Navbar',
  'Hero',
  'Features',
  'Gallery',
  'Testimonials',
  'Pricing',
  'Call to action',
  'Contact form',
  'Team',
  'FAQ',
  'Stats',
  'Blog grid',
  'Video',
  'Map',
  'Text',
  'Image and text',
  'Footer',
];

/** A heading no other kind's heading contains, so a text match finds exactly one block. */
const headingFor = (label: string) => `Our ${label.toLowerCase()} heading`;

test('a new user adds every kind of block, edits each heading, and finds them all after a reload', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, 'Kinds');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const status = page.getByRole('status');
  const blocks = canvas.getByRole('listitem', { name: / block$/ });
  await expect(blocks).toHaveCount(5);

  for (const label of KINDS) {
    await page.getByRole('button', { name: `Add ${label}`, exact: true }).click();
    await expect(status).toHaveText('Saved');
    // The new block is selected: the inspector now shows its kind.
    await expect(inspector.getByRole('heading', { name: label, exact: true })).toBeVisible();

    const heading = headingFor(label);
    await inspector.getByLabel('Heading', { exact: true }).fill(heading);
    await expect(canvas.getByRole('listitem', { name: `${label} block` }).filter({ hasText: heading })).toBeVisible();
    await expect(status).toHaveText('Saved');
  }
  await expect(blocks).toHaveCount(5 + KINDS.length);

  await page.reload();
  await hydrated(page);
  await expect(blocks).toHaveCount(5 + KINDS.length);
  for (const label of KINDS) {
    await expect(canvas.getByRole('listitem', { name: `${label} block` }).filter({ hasText: headingFor(label) }))
      .toHaveCount(1);
  }
});

test('on the Starter plan, adding custom HTML explains it needs Pro and adds nothing', async ({ page }) => {
  await signUp(page, 'Starter');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const blocks = canvas.getByRole('listitem', { name: / block$/ });
  await expect(blocks).toHaveCount(5);

  await page.getByRole('button', { name: 'Add Custom HTML', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Custom HTML blocks are available on the Pro plan');
  await expect(blocks).toHaveCount(5);
  await expect(canvas.getByRole('listitem', { name: 'Custom HTML block' })).toHaveCount(0);

  await page.reload();
  await hydrated(page);
  await expect(blocks).toHaveCount(5);
});
