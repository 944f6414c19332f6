// The dashboard (/ui) in real headless Chromium (Debian's chromium, npm's playwright-core): open
// it, create a queue, send a test message, watch the depth change, peek the message (and check
// through the SQS API that the peek neither received it nor changed its visibility), purge,
// delete; start and cancel a DLQ redrive; and with --credentials, a login is required.
// Screenshots are kept in tests/ui/artifacts/ (git-ignored).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, makeClient, uniqueName, skipOn, sleep, queueAttrs } from '../blackbox/helpers.mjs';
import { launchChromium } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(here, 'artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const opts = skipOn(['local-aws-sqs', 'fauxqs'], 'the dashboard is Tern\'s');

// Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`.
async function until(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

const text = async (locator) => ((await locator.count()) ? (await locator.first().innerText()).trim() : null);

// Fails the test on any uncaught page error or console error.
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // An API call answered with an error status is logged by Chromium; the tests look at those
    // answers themselves.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${m.text()}`);
    }
  });
  return errors;
}

describe('dashboard in Chromium, no credentials', opts, () => {
  let server;
  let browser;
  let client;
  before(async () => {
    server = await startServer({ extraArgs: ['--durability', 'memory'] });
    browser = await launchChromium();
    client = makeClient('v3', server.endpoint);
  });
  after(async () => {
    client?.destroy();
    await browser?.close();
    await server?.stop();
  });

  test('create a queue, send, see the depth, peek without receiving, purge, delete', async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    const name = uniqueName('ui');
    const url = `${server.endpoint}/000000000000/${name}`;

    const res = await page.goto(`${server.endpoint}/ui`);
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/ui/'); // /ui redirects to /ui/
    await page.getByRole('heading', { name: 'Queues', exact: true }).waitFor();
    await page.getByText('No queues yet').waitFor();
    await until(async () => (await text(page.locator('#live-text'))) === 'live', 'the live indicator');

    // Create the queue through the dialog.
    await page.locator('.page-head').getByRole('button', { name: 'Create queue' }).click();
    await page.getByLabel('Queue name').fill(name);
    await page.locator('#dlg-create').getByRole('button', { name: 'Create queue' }).click();
    const row = page.locator(`tr[data-queue="${name}"]`);
    await row.waitFor();
    assert.equal(await text(row.locator('[data-col=visible]')), '0');
    const { QueueUrls } = await client.call('ListQueues', { QueueNamePrefix: name });
    assert.deepEqual(QueueUrls, [url], 'the queue exists for SQS clients');

    // Send a test message from the list's row.
    await row.getByRole('button', { name: 'Send' }).click();
    await page.locator('#send-body').fill('{"hello":"from the browser test","n":1}');
    await page.locator('#dlg-send').getByRole('button', { name: 'Send' }).click();
    await until(async () => (await text(row.locator('[data-col=visible]'))) === '1', 'visible depth 1 in the list');
    assert.equal(await text(page.locator('.tile', { hasText: 'Visible' }).locator('.value')), '1');
    // The row's depth chart drew the message: ink above its baseline (the bottom few rows).
    const inked = await row.locator('canvas').evaluate((c) => {
      const rows = c.height - Math.ceil(4 * (window.devicePixelRatio || 1));
      const d = c.getContext('2d').getImageData(0, 0, c.width, rows).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 20, `the sparkline has ink (${inked} pixels; ${errors})`);

    // The queue's page: depth tiles, and the message in the peek table.
    await row.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    const messageRow = page.locator('#messages tr.message');
    await until(async () => (await messageRow.count()) === 1, 'one message in the peek table');
    assert.equal(await text(messageRow.locator('[data-col=body]')), '{"hello":"from the browser test","n":1}');
    assert.equal(await text(messageRow.locator('[data-col=state] .state')), 'Visible');
    assert.equal(await text(messageRow.locator('[data-col=receive-count]')), '0');
    // Open it: the whole body, pretty-printed, and its properties.
    await messageRow.click();
    const detail = page.locator('#messages tr.detail');
    await detail.waitFor();
    assert.match(await text(detail.locator('pre.body')), /"hello": "from the browser test"/);
    // Peek a few more times.
    for (let i = 0; i < 3; i++) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await sleep(150);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'queue-with-message.png'), fullPage: true });

    // The SQS API agrees the peeks received nothing: still visible, and its first receive is
    // receive number 1.
    const attrs = await queueAttrs(client, url);
    assert.equal(attrs.ApproximateNumberOfMessages, '1');
    assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, '0');
    const got = await client.call('ReceiveMessage', {
      QueueUrl: url, MaxNumberOfMessages: 10, AttributeNames: ['All'], VisibilityTimeout: 60,
    });
    assert.equal(got.Messages?.length, 1, 'the message is still receivable');
    assert.equal(got.Messages[0].Body, '{"hello":"from the browser test","n":1}');
    assert.equal(got.Messages[0].Attributes.ApproximateReceiveCount, '1');
    // The dashboard follows: in flight, one receive.
    await until(async () => (await text(page.locator('#messages [data-col=state] .state'))) === 'In flight', 'the message in flight');
    assert.equal(await text(page.locator('#messages [data-col=receive-count]')), '1');
    assert.match(await text(page.locator('#messages [data-col=state]')), /In flight\s+\d+ s left/);
    assert.equal(await text(page.locator('.tile', { hasText: 'In flight' }).locator('.value')), '1');

    // Purge from the queue page.
    await page.locator('.page-head').getByRole('button', { name: 'Purge' }).click();
    await page.locator('#dlg-confirm').getByRole('button', { name: 'Purge queue' }).click();
    await page.getByText('No messages').waitFor();
    await until(async () => (await text(page.locator('.tile', { hasText: 'In flight' }).locator('.value'))) === '0', 'depth 0 after the purge');
    const after = await queueAttrs(client, url);
    assert.equal(after.ApproximateNumberOfMessages, '0');
    assert.equal(after.ApproximateNumberOfMessagesNotVisible, '0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'queue-purged.png'), fullPage: true });

    // Delete it: back to the list, and gone for SQS clients too.
    await page.locator('.page-head').getByRole('button', { name: 'Delete' }).click();
    await page.locator('#dlg-confirm').getByRole('button', { name: 'Delete queue' }).click();
    await page.getByRole('heading', { name: 'Queues', exact: true }).waitFor();
    await until(async () => (await page.locator(`tr[data-queue="${name}"]`).count()) === 0, 'the row to go');
    const listed = await client.call('ListQueues', { QueueNamePrefix: name });
    assert.equal(listed.QueueUrls, undefined);
    assert.deepEqual(errors, []);
  });

  test('a FIFO queue and an SQS error shown in the dialog', async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    const base = uniqueName('uififo');
    await page.goto(`${server.endpoint}/ui/`);
    await page.locator('.page-head').getByRole('button', { name: 'Create queue' }).click();
    await page.getByLabel('Queue name').fill(base);
    await page.getByLabel('FIFO (name ends in .fifo)').check();
    await page.locator('#dlg-create').getByRole('button', { name: 'Create queue' }).click();
    const name = `${base}.fifo`;
    const row = page.locator(`tr[data-queue="${name}"]`);
    await row.waitFor();
    assert.equal(await text(row.locator('.badge.fifo')), 'FIFO');
    await row.getByRole('button', { name: 'Send' }).click();
    await page.locator('#dlg-send').getByLabel('Copies').fill('3');
    await page.locator('#dlg-send').getByRole('button', { name: 'Send' }).click();
    await until(async () => (await text(row.locator('[data-col=visible]'))) === '3', 'three FIFO messages');

    // A bad name: CreateQueue's error is shown and the dialog stays open.
    await page.locator('.page-head').getByRole('button', { name: 'Create queue' }).click();
    await page.getByLabel('Queue name').fill('not/valid');
    await page.locator('#dlg-create').getByRole('button', { name: 'Create queue' }).click();
    await until(async () => /InvalidParameterValue/.test((await text(page.locator('#create-error'))) || ''), 'the error');
    assert.ok(await page.locator('#dlg-create').evaluate((d) => d.open));
    await page.locator('#dlg-create').getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('link', { name }).click();
    const groups = page.locator('#messages tr.message td.mono:not(:first-child)');
    await until(async () => (await page.locator('#messages tr.message').count()) === 3, 'three rows');
    assert.equal(await page.locator('#messages th', { hasText: 'Group' }).count(), 1);
    assert.ok((await groups.allInnerTexts()).includes('default'));
    assert.deepEqual(errors, []);
  });

  test('dead-letter sources, start and cancel a redrive', async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    const dlq = uniqueName('uidlq');
    const source = uniqueName('uisrc');
    const dlqUrl = (await client.call('CreateQueue', { QueueName: dlq })).QueueUrl;
    const sourceUrl = (await client.call('CreateQueue', {
      QueueName: source,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlq}`, maxReceiveCount: 1 }),
      },
    })).QueueUrl;
    await client.call('SendMessageBatch', {
      QueueUrl: sourceUrl,
      Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `failed order ${i}` })),
    });
    // Received once and not deleted (visibility 0: back at once), the second receive moves each
    // message to the dead-letter queue (maxReceiveCount 1).
    await until(async () => {
      await client.call('ReceiveMessage', { QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      return (await queueAttrs(client, dlqUrl)).ApproximateNumberOfMessages === '10';
    }, 'ten messages in the dead-letter queue');

    await page.goto(`${server.endpoint}/ui/#/queues/${dlq}/redrive`);
    await page.getByRole('heading', { name: dlq, exact: true }).waitFor();
    await until(async () => (await text(page.locator('.page-head .badge.dlq'))) === 'DLQ', 'the DLQ badge');
    await page.locator('#dlq-sources').getByRole('link', { name: source }).waitFor();

    // A slow redrive (1 message/s) can be cancelled while it runs.
    await page.getByLabel('Messages per second').fill('1');
    await page.getByRole('button', { name: 'Start redrive' }).click();
    const tasks = page.locator('#move-tasks tbody tr');
    await until(async () => (await tasks.first().getAttribute('data-status')) === 'RUNNING', 'a running task');
    await page.screenshot({ path: path.join(ARTIFACTS, 'redrive-running.png'), fullPage: true });
    await tasks.first().getByRole('button', { name: 'Cancel' }).click();
    await until(async () => (await tasks.first().getAttribute('data-status')) === 'CANCELLED', 'the task cancelled');
    const listed = await client.call('ListMessageMoveTasks', { SourceArn: `arn:aws:sqs:us-east-1:000000000000:${dlq}` });
    assert.equal(listed.Results[0].Status, 'CANCELLED');
    const movedFirst = listed.Results[0].ApproximateNumberOfMessagesMoved;
    assert.ok(movedFirst < 10, `the cancelled task moved only part (${movedFirst})`);

    // A full-speed redrive moves the rest back to the source.
    await page.getByLabel('Messages per second').fill('');
    await page.getByRole('button', { name: 'Start redrive' }).click();
    await until(async () => (await tasks.first().getAttribute('data-status')) === 'COMPLETED', 'the task completed', 15000)
      .catch(async (e) => {
        await page.screenshot({ path: path.join(ARTIFACTS, 'redrive-failed.png'), fullPage: true });
        throw e;
      });
    const src = await queueAttrs(client, sourceUrl);
    assert.equal(src.ApproximateNumberOfMessages, '10');
    const d = await queueAttrs(client, dlqUrl);
    assert.equal(d.ApproximateNumberOfMessages, '0');

    // The source's page names its dead-letter queue.
    await page.goto(`${server.endpoint}/ui/#/queues/${source}/redrive`);
    await page.getByText('Messages received more than 1 time move to').waitFor();
    await until(async () => (await text(page.locator('.page-head .badge.redrive'))) === `→ ${dlq}`, 'the redrive badge');
    assert.deepEqual(errors, []);
  });
});

describe('dashboard with --credentials', opts, () => {
  const KEY = { accessKeyId: 'AKIATERNUI0000000001', secretAccessKey: 'ui-secret/With+Chars0123456789' };
  let server;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-ui-auth-'));
    const file = path.join(dir, 'credentials');
    fs.writeFileSync(file, `[ops]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${KEY.secretAccessKey}\n`, { mode: 0o600 });
    server = await startServer({ extraArgs: ['--durability', 'memory', '--credentials', file] });
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('without a login /ui is 401; with the key it works and acts as that key', async () => {
    // Plain HTTP: every /ui path and the SQS door want Basic credentials.
    for (const p of ['/ui', '/ui/', '/ui/app.js', '/ui/api/queues']) {
      const r = await fetch(`${server.endpoint}${p}`, { redirect: 'manual' });
      assert.equal(r.status, 401, p);
      assert.match(r.headers.get('www-authenticate'), /^Basic realm="tern"/);
    }
    const wrong = await fetch(`${server.endpoint}/ui/`, {
      headers: { Authorization: `Basic ${Buffer.from(`${KEY.accessKeyId}:nope`).toString('base64')}` },
    });
    assert.equal(wrong.status, 401);

    // A browser without credentials is answered 401 (headless Chromium, having no one to ask for
    // a login, then fails the navigation) and never gets the page.
    const anon = await launchChromium();
    try {
      const statuses = [];
      anon.page.on('response', (r) => statuses.push([new URL(r.url()).pathname, r.status()]));
      const nav = await anon.page.goto(`${server.endpoint}/ui/`).catch((e) => e);
      assert.ok(nav instanceof Error ? /AUTH/.test(nav.message) : nav.status() === 401, String(nav));
      assert.deepEqual(statuses, [['/ui/', 401]]);
    } finally {
      await anon.close();
    }

    // With the key as user and secret as password, the dashboard works end to end.
    const b = await launchChromium({ httpCredentials: { username: KEY.accessKeyId, password: KEY.secretAccessKey } });
    const client = makeClient('v3', server.endpoint, KEY);
    try {
      const errors = watchErrors(b.page);
      const res = await b.page.goto(`${server.endpoint}/ui/`);
      assert.equal(res.status(), 200);
      await b.page.getByText(`signed in as ${KEY.accessKeyId}`).waitFor();
      const name = uniqueName('uiauth');
      await b.page.locator('.page-head').getByRole('button', { name: 'Create queue' }).click();
      await b.page.getByLabel('Queue name').fill(name);
      await b.page.locator('#dlg-create').getByRole('button', { name: 'Create queue' }).click();
      const row = b.page.locator(`tr[data-queue="${name}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'Send' }).click();
      await b.page.locator('#dlg-send').getByRole('button', { name: 'Send' }).click();
      await until(async () => (await text(row.locator('[data-col=visible]'))) === '1', 'depth 1');
      // SigV4 clients see the same queue; the message's SenderId is the signed-in key.
      const url = `${server.endpoint}/000000000000/${name}`;
      const got = await client.call('ReceiveMessage', { QueueUrl: url, AttributeNames: ['SenderId'] });
      assert.equal(got.Messages[0].Attributes.SenderId, KEY.accessKeyId);
      await client.call('DeleteQueue', { QueueUrl: url });
      await b.page.screenshot({ path: path.join(ARTIFACTS, 'signed-in.png') });
      assert.deepEqual(errors, []);
    } finally {
      client.destroy();
      await b.close();
    }
  });
});
