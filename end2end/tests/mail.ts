// Reading the emails the e2e server delivered: scripts/test.sh runs a real SMTP server
// (scripts/tools/smtp_sink.py, aiosmtpd) that writes each message it accepts into
// SITEPILOT_E2E_MAIL_DIR as <n>.eml plus a decoded <n>.json.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';

export interface Mail {
  file: string;
  rcpt_tos: string[];
  headers: Record<string, string[]>;
  text: string;
  html: string;
}

function mailDir(): string {
  const dir = process.env.SITEPILOT_E2E_MAIL_DIR;
  if (!dir) {
    throw new Error('SITEPILOT_E2E_MAIL_DIR is not set (scripts/test.sh sets it to the SMTP sink folder)');
  }
  return dir;
}

/** Every message delivered to `to` so far, oldest first. */
export function mailsTo(to: string): Mail[] {
  const dir = mailDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }) as Mail)
    .filter((m) => m.rcpt_tos.includes(to));
}

/** Waits for the `count`-th message to `to` whose subject matches, and returns it. */
export async function waitForMail(to: string, subject: RegExp, count = 1): Promise<Mail> {
  await expect
    .poll(() => mailsTo(to).filter((m) => subject.test(m.headers.subject?.[0] ?? '')).length, {
      message: `email "${subject}" to ${to}`,
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(count);
  return mailsTo(to).filter((m) => subject.test(m.headers.subject?.[0] ?? ''))[count - 1];
}

/** The first link in the text part that contains `needle`; the HTML part must carry it too. */
export function linkIn(mail: Mail, needle: string): string {
  const link = mail.text.split(/\s+/).find((w) => w.startsWith('http') && w.includes(needle));
  expect(link, `a link containing ${needle}`).toBeTruthy();
  expect(mail.html).toContain(`href="${link}"`);
  return link as string;
}
