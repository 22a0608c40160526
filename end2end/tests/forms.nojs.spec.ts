import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { appOrigin, uniqueEmail } from './helpers';
import { linkIn, waitForMail } from './mail';

// A contact form on a visitor site is a plain HTML form: without JavaScript a visitor gets
// field errors (with their input kept) and then the success message. The site is set up
// through the app's server functions.

async function call(request: APIRequestContext, path: string, init: { form?: Record<string, string>; data?: unknown }) {
  // A script's POST with the session cookie must name the app's origin, as a browser would.
  const res = await request.post(path, { ...init, headers: { Accept: 'application/json', Origin: appOrigin() } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy();
  return res.json();
}

test('a visitor without JavaScript fixes a field error and sends the contact form', async ({ page }) => {
  const request = page.request;
  const email = uniqueEmail('nojs-forms');
  await call(request, '/api/signup', {
    form: { full_name: 'Pat Owner', org_name: `NoJS Forms ${randomUUID().slice(0, 6)}`, email, password: 'correct-horse-7' },
  });
  // Publishing needs a verified email: follow the link the sign-up sent.
  await page.goto(linkIn(await waitForMail(email, /Confirm your email address/), '/verify-email/'));
  await expect(page.getByRole('heading', { name: 'Your email address is verified' })).toBeVisible();
  const [site] = await call(request, '/api/websites', { form: {} });
  const home = site.pages.find((p: { slug: string }) => p.slug === '/');
  const data = await call(request, '/api/builder/load', { form: { page_id: home.id } });
  await call(request, '/api/builder/insert', {
    data: {
      page_id: home.id,
      block: { id: randomUUID(), block: { type: 'contact_form', props: {} }, is_visible: true, is_locked: false },
      after: data.components[1].id,
      base_revision: data.revision,
    },
  });
  await call(request, '/api/websites/publish', { data: { website_id: site.id } });

  const path = `/sites/${site.subdomain}/`;
  await page.goto(path);
  await page.getByLabel('Your name').fill('Sam Visitor');
  await page.getByLabel('Email').fill('sam@example.com');
  await page.getByLabel('Phone').fill('call me maybe');
  await page.getByLabel('Message').fill('Are you open on Sundays?');
  await page.getByRole('button', { name: 'Send message' }).click();

  await expect(page.getByRole('alert')).toHaveText('Please correct the fields marked below.');
  const phone = page.getByLabel('Phone');
  await expect(phone).toHaveAttribute('aria-invalid', 'true');
  await expect(phone).toHaveAccessibleDescription('Enter a phone number using digits, spaces and + - ( ).');
  await expect(page.getByLabel('Your name')).toHaveValue('Sam Visitor');
  await expect(page.getByLabel('Message')).toHaveValue('Are you open on Sundays?');
  expect(new URL(page.url()).pathname).toBe(path);

  await phone.fill('+1 555 0100');
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByRole('status')).toHaveText("Thanks! We'll get back to you within 24 hours.");
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe(path);
});
