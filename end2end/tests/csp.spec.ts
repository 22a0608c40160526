import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// App pages run under a strict Content-Security-Policy (server/src/http/security_headers.rs):
// the builder, the dashboard and billing must hydrate and work with no violation reported.

/** Collects every `securitypolicyviolation` of the page's documents, from before any script runs. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

test('the builder, dashboard and billing hydrate and work under the CSP without violations', async ({ page }) => {
  const violations = await watchViolations(page);
  await signUp(page, 'Csp');
  expect(await violations()).toEqual([]);

  // Dashboard: served with the policy, hydrated.
  const res = await page.goto('/dashboard');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'nonce-[^']+'/);
  await hydrated(page);
  expect(await violations()).toEqual([]);

  // Builder: hydrates, an edit saves.
  await openHomeInBuilder(page);
  const canvas = page.getByRole('main', { name: 'Canvas' });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const hero = canvas.getByRole('listitem', { name: 'Hero block' });
  await hero.click();
  await inspector.getByLabel('Heading', { exact: true }).fill('Strict policy bakery');
  await expect(hero.getByRole('heading', { level: 1 })).toHaveText('Strict policy bakery');
  await expect(page.getByRole('status')).toHaveText('Saved');
  await page.reload();
  await hydrated(page);
  await expect(canvas.getByRole('listitem', { name: 'Hero block' }).getByRole('heading', { level: 1 })).toHaveText(
    'Strict policy bakery',
  );
  expect(await violations()).toEqual([]);

  // Billing: hydrated, its plans listed.
  await page.goto('/billing');
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Current plan' })).toBeVisible();
  expect(await violations()).toEqual([]);
});

test('a wrong password still shows its message on the log-in form', async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('demo@sitepilot.test');
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('That email and password do not match an account. Try again.');
  expect(await violations()).toEqual([]);
});
