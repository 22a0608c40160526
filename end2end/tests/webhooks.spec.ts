import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { hydrated, openHomeInBuilder, signUp } from './builder-helpers';

// Outgoing webhooks along an owner's path, delivered by the e2e server's real job worker to a
// receiver this spec runs on 127.0.0.1 (scripts/test.sh sets SITEPILOT_WEBHOOKS_ALLOW_PRIVATE=1
// for the e2e server; in production such an address is refused).

type Hit = { headers: IncomingHttpHeaders; body: string };

async function receiver(): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks from the receiver');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/sitepilot`, hits };
}

async function openWebhooks(page: Page) {
  await page.goto('/dashboard');
  await page.getByRole('link', { name: /^Webhooks of / }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await hydrated(page);
}

test('an owner adds an endpoint, publishes, and sees the signed delivery succeed in the log', async ({ page }) => {
  const rx = await receiver();
  try {
    await signUp(page, 'Hooks');
    await openWebhooks(page);

    await page.getByLabel('Endpoint URL').fill(rx.url);
    await page.getByLabel(/^site\.published:/).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const endpoints = page.getByRole('region', { name: 'Endpoints' });
    await expect(endpoints.getByText(rx.url)).toBeVisible();
    await expect(endpoints.getByRole('status')).toHaveText('Active');
    const secret = (await endpoints.getByLabel(`Signing secret of ${rx.url}`).textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);

    // Publish from the builder: the event is queued with the deployment, the worker sends it.
    await page.goto('/dashboard');
    await openHomeInBuilder(page);
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByText('Published.')).toBeVisible();
    await expect.poll(() => rx.hits.length, { timeout: 15_000 }).toBe(1);

    // The receiver can verify the signature with the secret the page showed.
    const hit = rx.hits[0];
    const sig = String(hit.headers['sitepilot-signature'] ?? '');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig) ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${hit.body}`).digest('hex'));
    expect(hit.headers['sitepilot-event']).toBe('site.published');
    expect(JSON.parse(hit.body).type).toBe('site.published');

    // The log shows it: event, 200, the receiver's answer.
    await openWebhooks(page);
    const log = page.getByRole('table', { name: 'Deliveries' });
    const row = log.getByRole('row').filter({ hasText: 'site.published' });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('succeeded');
    await expect(row.getByRole('cell').nth(4)).toHaveText('200');
    await expect(row).toContainText('thanks from the receiver');

    // Resend delivers the same event again, with a new delivery id.
    await row.getByRole('button', { name: /^Resend site\.published delivery / }).click();
    await expect.poll(() => rx.hits.length, { timeout: 15_000 }).toBe(2);
    expect(rx.hits[1].body).toBe(hit.body);
    expect(rx.hits[1].headers['sitepilot-delivery']).not.toBe(hit.headers['sitepilot-delivery']);
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh log' }).click();
      await expect(log.getByRole('row').filter({ hasText: 'succeeded' })).toHaveCount(2, { timeout: 1000 });
    }).toPass({ timeout: 10_000 });
  } finally {
    rx.server.close();
  }
});

test('an address that is not http(s) or names no event is refused under its field', async ({ page }) => {
  await signUp(page, 'Hookform', { verify: false });
  await openWebhooks(page);
  await page.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
  await page.getByLabel(/^form\.submitted:/).check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByLabel('Endpoint URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#webhook-url-error')).toHaveText('Use an https:// address, such as https://example.com/hooks.');
  await expect(page.getByRole('region', { name: 'Endpoints' })).toContainText('No endpoints yet.');
});
