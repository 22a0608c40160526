// The AI assistant (issue 19), with the e2e server pointed at the local provider stand-in
// (server/examples/ai_standin.rs, started by scripts/test.sh): it answers the Anthropic
// streaming API with fixed, valid tool calls, so the suggestions below are known.
import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

const FIRST = 'Fresh ideas, built to last';

test('an editor takes an AI heading, undoes it, fills the SEO fields with AI, and runs out of credits', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, 'Assist');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  const heading = inspector.getByLabel('Heading', { exact: true });
  const original = await heading.inputValue();

  // Three suggestions under the heading; taking one changes the canvas and is saved.
  await inspector.getByRole('button', { name: 'Suggest with AI for Heading', exact: true }).click();
  const options = inspector.getByRole('list', { name: 'AI suggestions' });
  await expect(options.getByRole('button')).toHaveCount(3);
  await options.getByRole('button', { name: FIRST }).click();
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText(FIRST);
  await expect(heading).toHaveValue(FIRST);
  await expect(options).toHaveCount(0);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // One undo step brings the old heading back, on the canvas and in the saved page.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText(original);
  await expect(heading).toHaveValue(original);
  await expect(page.getByRole('status')).toHaveText('Saved');
  await page.reload();
  await hydrated(page);
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 })).toHaveText(original);

  // The SEO fields, written from the page's text, then saved by the editor.
  await page.getByRole('tab', { name: 'Pages' }).click();
  const settings = page.getByRole('region', { name: 'Page settings' });
  await settings.getByRole('button', { name: 'Write SEO fields with AI' }).click();
  await expect(settings.getByText('Filled in by the AI assistant')).toBeVisible();
  await expect(settings.getByLabel('SEO title')).toHaveValue('Handmade goods from our studio');
  await expect(settings.getByLabel('Meta description')).toHaveValue(/^See what we make/);
  await expect(settings.getByLabel('Social title')).toHaveValue('Handmade goods from our studio');
  await settings.getByRole('button', { name: 'Save page settings' }).click();
  await expect(page.getByText('Page settings saved.')).toBeVisible();

  // The Starter plan's 10 monthly credits: 2 are spent; suggestions until none are left.
  await page.getByRole('tab', { name: 'Blocks' }).click();
  await canvas.getByRole('listitem', { name: 'Hero block' }).click();
  const suggest = inspector.getByRole('button', { name: 'Suggest with AI for Heading', exact: true });
  const out = inspector.getByRole('alert').filter({ hasText: 'AI credits' });
  for (let i = 0; i < 8; i++) {
    await suggest.click();
    await expect(inspector.getByRole('list', { name: 'AI suggestions' }).getByRole('button')).toHaveCount(3);
  }
  await suggest.click();
  await expect(out).toContainText('Your plan allows 10 AI credits a month; 0 left, and this needs 1. Upgrade to Growth to add more.');
  await expect(out.getByRole('link', { name: 'See plans and credits' })).toHaveAttribute('href', '/billing');

  // The owner's billing page counts the use.
  await page.goto('/billing');
  await hydrated(page);
  const credits = page.getByRole('region', { name: 'AI credits' });
  await expect(credits.getByRole('status')).toHaveText(/^0 credits left · your plan adds 10/);
  const table = credits.getByRole('table', { name: 'AI use in the last 30 days' });
  await expect(table.getByRole('row', { name: /Suggest copy 9 0 9/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /SEO fields 1 0 1/ })).toBeVisible();
  await expect(credits.getByRole('list', { name: 'AI use per day' }).getByRole('listitem')).toHaveCount(1);

  // Out of credits, the owner buys a pack. The e2e server has no Stripe key, so billing's
  // local test mode sends the signed checkout.session.completed through the real webhook.
  await credits.getByRole('button', { name: 'Buy 100 credits for $5' }).click();
  await expect(credits.getByText('Credits added.')).toBeVisible();
  await expect(credits.getByText(/^100 credits left · your plan adds 10/)).toBeVisible();
});

test('an editor rewrites a block with AI and undoes it, then takes an accessible palette', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, 'Rewrite');
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  const heading = inspector.getByLabel('Heading', { exact: true });
  const original = await heading.inputValue();

  // Every filled text field of the hero is rewritten (the stand-in answers "New <field>").
  await inspector.getByLabel('Instructions for the AI rewrite (optional)').fill('Shorter, and mention free delivery');
  await inspector.getByRole('button', { name: 'Rewrite this block with AI' }).click();
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('New Heading');
  await expect(heading).toHaveValue('New Heading');
  await expect(inspector.getByLabel('Subheading', { exact: true })).toHaveValue('New Subheading');
  await expect(page.getByRole('status')).toHaveText('Saved');

  // One undo step puts back every field.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText(original);
  await expect(heading).toHaveValue(original);
  await expect(page.getByRole('status')).toHaveText('Saved');

  // A palette from a brief, shown with its contrast checks before anything changes.
  await page.getByRole('tab', { name: 'Branding' }).click();
  const panel = page.getByRole('region', { name: 'Branding' });
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#4F46E5');
  await panel.getByLabel('Describe the look (optional)').fill('Calm and fresh, for a bakery');
  await panel.getByRole('button', { name: 'Suggest a palette with AI' }).click();
  const proposal = panel.getByRole('region', { name: 'Suggested palette' });
  const checks = proposal.getByRole('table', { name: 'Contrast checks' });
  await expect(checks.getByRole('row', { name: /Button label on primary 5\.\d\d:1 passes/ })).toBeVisible();
  await expect(checks.getByRole('row', { name: /fails/ })).toHaveCount(0);
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#4F46E5');

  // Taken, it restyles the canvas and is saved like a hand edit.
  await proposal.getByRole('button', { name: 'Use this palette' }).click();
  await expect(proposal).toHaveCount(0);
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#0F766E');
  await expect(hero.getByRole('link', { name: 'Get started' })).toHaveCSS('background-color', 'rgb(15, 118, 110)');
  await expect(panel.getByText('Branding saved')).toBeVisible();
  await page.reload();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Branding' }).click();
  await expect(panel.getByLabel('Primary colour hex code')).toHaveValue('#0F766E');
});
