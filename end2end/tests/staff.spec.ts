import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { hydrated, publishHome, signUp } from './builder-helpers';
import { siteUrl, uniqueEmail } from './helpers';

// The operator console (issue 23 part 7): a staff account made by the CLI command, signed in
// with its password and a TOTP code, finds an organisation and suspends it; the site then
// answers "suspended". Lifting the suspension brings it back.

const PASSWORD = 'staff-e2e-password';

/** `server staff create --email …` against the e2e database, as an operator would run it. */
function createStaff(email: string): string {
  const bin = process.env.SITEPILOT_SERVER_BIN;
  const url = process.env.SITEPILOT_E2E_OWNER_DATABASE_URL;
  if (!bin || !url) {
    throw new Error('SITEPILOT_SERVER_BIN and SITEPILOT_E2E_OWNER_DATABASE_URL are set by scripts/test.sh');
  }
  const out = execFileSync(bin, ['staff', 'create', '--email', email], {
    input: `${PASSWORD}\n`,
    env: { ...process.env, DATABASE_URL: url },
  }).toString();
  const secret = /^totp secret: ([A-Z2-7]+)$/m.exec(out)?.[1];
  expect(out).toContain('otpauth://totp/');
  if (!secret) throw new Error(`no secret in: ${out}`);
  return secret;
}

function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of `secret` now. */
function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

test('as staff, find a tenant and suspend it, then see its site answer "suspended"', async ({ page, browser }) => {
  test.setTimeout(120_000);
  // A customer with a live site.
  const subdomain = await signUp(page, 'Suspendme');
  await publishHome(page);

  const email = uniqueEmail('staff');
  const secret = createStaff(email);
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await staff.goto('/staff');
  await hydrated(staff);
  await staff.getByLabel('Staff email').fill(email);
  await staff.getByLabel('Password').fill(PASSWORD);
  await staff.getByRole('button', { name: 'Continue' }).click();
  // The second factor: a wrong code is refused, the current one lets staff in.
  await staff.getByLabel('Authentication code').fill('000000');
  await staff.getByRole('button', { name: 'Verify' }).click();
  await expect(staff.getByRole('alert')).toContainText('That code is not right');
  await staff.getByLabel('Authentication code').fill(totp(secret));
  await staff.getByRole('button', { name: 'Verify' }).click();

  await staff.getByLabel('Search organisations').fill(subdomain);
  await staff.getByRole('button', { name: 'Search' }).click();
  const results = staff.getByRole('table', { name: 'Organisations found' });
  await expect(results).toContainText(subdomain.replace('suspendme-', 'Suspendme '));
  await results.getByRole('button', { name: /^Open Suspendme / }).click();
  await expect(staff.getByTestId('tenant-status')).toHaveText('active');

  // A reason is required.
  const panel = staff.getByRole('region', { name: /^Suspendme / });
  await staff.getByRole('button', { name: 'Suspend', exact: true }).click();
  await expect(panel.getByRole('alert')).toContainText('Give a reason');
  await staff.getByLabel('Reason').fill('Reported for phishing');
  await staff.getByRole('button', { name: 'Suspend', exact: true }).click();
  await expect(staff.getByTestId('tenant-status')).toHaveText('suspended');

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const res = await visitor.goto(siteUrl(subdomain));
  expect(res?.status()).toBe(403);
  await expect(visitor.getByText('The account behind it is suspended.')).toBeVisible();

  // Lifting it brings the site back.
  await staff.getByLabel('Reason').fill('Cleared after review');
  await staff.getByRole('button', { name: 'Unsuspend', exact: true }).click();
  await expect(staff.getByTestId('tenant-status')).toHaveText('active');
  const back = await visitor.goto(siteUrl(subdomain));
  expect(back?.status()).toBe(200);
  await visitorContext.close();
  await staffContext.close();
});
