import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// With no AI provider configured (issue 19): scripts/test.sh starts a second server on the same
// database without SITEPILOT_AI_*, and every AI entry point there must say so and how to turn
// AI on. No model is configured on that server, so no AI request can leave it; the browser sees
// only the explanation.
const noAiUrl = process.env.SITEPILOT_NO_AI_URL;
const NOT_CONFIGURED =
  'AI is not configured on this server. An administrator can turn it on by setting SITEPILOT_AI_PROVIDER (anthropic or openai), SITEPILOT_AI_API_KEY and SITEPILOT_AI_MODEL.';

test.use({ baseURL: noAiUrl });

test('without a provider, each AI entry point explains how to turn AI on', async ({ page }) => {
  test.skip(!noAiUrl, 'needs the server without AI that scripts/test.sh starts (SITEPILOT_NO_AI_URL)');
  await signUp(page, 'NoAI', { verify: false });

  // The new-website form: the AI choice is disabled, described by the explanation.
  const form = page.getByRole('region', { name: 'New website' });
  const ai = form.getByRole('radio', { name: 'Build it with AI from a prompt' });
  await expect(ai).toBeDisabled();
  await expect(ai).toHaveAccessibleDescription(NOT_CONFIGURED);

  // The builder: asking for copy answers with the explanation, and the heading is untouched.
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  const heading = inspector.getByLabel('Heading', { exact: true });
  const original = await heading.inputValue();
  await inspector.getByRole('button', { name: 'Suggest with AI for Heading', exact: true }).click();
  await expect(inspector.getByRole('alert')).toHaveText(NOT_CONFIGURED);
  await expect(inspector.getByRole('list', { name: 'AI suggestions' })).toHaveCount(0);
  // The rewrite's own answer joins the first one.
  await inspector.getByRole('button', { name: 'Rewrite this block with AI' }).click();
  await expect(inspector.getByRole('alert')).toHaveText([NOT_CONFIGURED, NOT_CONFIGURED]);
  await expect(heading).toHaveValue(original);

  // The owner's billing page says the same beside the credits, and no action ran.
  await page.goto('/billing');
  await hydrated(page);
  const credits = page.getByRole('region', { name: 'AI credits' });
  await expect(credits.getByText(NOT_CONFIGURED)).toBeVisible();
  await expect(credits.getByText('No AI use in the last 30 days.')).toBeVisible();
});
