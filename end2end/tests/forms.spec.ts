import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// Contact forms end to end: the owner adds a contact form in the builder and publishes, a
// visitor sends a message on the live site, the owner reads it in the inbox, marks it
// processed and downloads the CSV.

test('a visitor’s message reaches the owner’s inbox and its CSV export', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const subdomain = await signUp(page, 'Forms');
  await openHomeInBuilder(page);
  await page.getByRole('button', { name: 'Add Contact form', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved');
  const canvas = page.getByRole('main', { name: 'Canvas' });
  await expect(canvas.getByRole('listitem', { name: 'Contact form block' })).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published.')).toBeVisible();

  // A visitor (no session) sends a message on the live site.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/sites/${subdomain}/`);
  await visitor.getByLabel('Your name').fill('Pat Visitor');
  await visitor.getByLabel('Email').fill('pat.visitor@example.com');
  await visitor.getByLabel('Message').fill('Do you cater for weddings?');
  await visitor.getByRole('button', { name: 'Send message' }).click();
  await expect(visitor.getByRole('status')).toHaveText("Thanks! We'll get back to you within 24 hours.");
  await expect(visitor.getByRole('button', { name: 'Send message' })).toHaveCount(0);
  await visitorContext.close();

  // The owner finds it in the inbox.
  await page.goto('/dashboard');
  await hydrated(page);
  await page.getByRole('link', { name: 'Form submissions', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Form submissions', level: 1 })).toBeVisible();
  await hydrated(page);
  const row = page.getByRole('row').filter({ hasText: 'Pat Visitor' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('New');
  await expect(row).toContainText('Home (/)');
  await row.getByRole('button', { name: /^Open submission from / }).click();

  const detail = page.getByRole('region', { name: 'Submission' });
  await expect(detail.getByText('Do you cater for weddings?')).toBeVisible();
  await expect(detail.getByText('pat.visitor@example.com')).toBeVisible();
  await detail.getByRole('button', { name: 'Mark processed' }).click();
  await expect(detail.getByRole('button', { name: 'Mark as new' })).toBeVisible();
  await expect(detail.getByText(/^Processed on /)).toBeVisible();
  await expect(row).toContainText('Processed');

  // Only unprocessed: nothing left.
  await page.getByLabel('Show only unprocessed').check();
  await expect(page.getByText('No unprocessed submissions.')).toBeVisible();
  await page.getByLabel('Show only unprocessed').uncheck();
  await expect(row).toBeVisible();

  // The CSV download holds the message.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /^Export CSV: / }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^submissions-[0-9a-f]{32}\.csv$/);
  const csv = readFileSync(await file.path(), 'utf8');
  expect(csv).toContain('Your name,Email,Phone,Message');
  expect(csv).toContain('processed,Pat Visitor,pat.visitor@example.com,,Do you cater for weddings?');
});
