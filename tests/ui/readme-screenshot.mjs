// Makes the README's dashboard screenshots (docs/img/dashboard.png, docs/img/dashboard-queue.png):
// starts build/bin/tern on a free port, runs a small shop-like workload against it for about a
// minute and a half (orders fanned out to mileage and tracking, a FIFO payments queue that falls
// behind, failing orders landing in a dead-letter queue, delayed reminder e-mails), and photographs
// the queue list and the product-tracking queue in headless Chromium.
//
//   node tests/ui/readme-screenshot.mjs [--seconds 90] [--out docs/img]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, makeClient, sleep, REPO_ROOT } from '../blackbox/helpers.mjs';
import { launchChromium } from './browser.mjs';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '90' }, out: { type: 'string', default: path.join(REPO_ROOT, 'docs', 'img') } },
});
const seconds = Number(args.seconds);

const server = await startServer({ extraArgs: ['--durability', 'memory'] });
const sqs = makeClient('v3', server.endpoint);
const url = (name) => `${server.endpoint}/000000000000/${name}`;
const arn = (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

await sqs.call('CreateQueue', { QueueName: 'orders-dlq', tags: { team: 'shop' } });
await sqs.call('CreateQueue', {
  QueueName: 'orders',
  Attributes: { VisibilityTimeout: '2', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('orders-dlq'), maxReceiveCount: 2 }) },
  tags: { team: 'shop', tier: 'critical' },
});
await sqs.call('CreateQueue', { QueueName: 'mileage', tags: { team: 'shop' } });
await sqs.call('CreateQueue', { QueueName: 'product-tracking', Attributes: { VisibilityTimeout: '120' } });
await sqs.call('CreateQueue', { QueueName: 'payments.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } });
await sqs.call('CreateQueue', { QueueName: 'reminder-emails' });

let stop = false;
let order = 1000;
const loops = [];
function every(ms, fn) {
  loops.push((async () => {
    while (!stop) {
      const started = Date.now();
      try {
        await fn();
      } catch (e) {
        if (!stop) console.error(e.message);
      }
      await sleep(Math.max(0, ms - (Date.now() - started)));
    }
  })());
}
const t0 = Date.now();
const wave = (period, lo, hi) => lo + ((hi - lo) * (1 + Math.sin(((Date.now() - t0) / 1000 / period) * 2 * Math.PI))) / 2;

// Orders arrive in waves; a few are malformed and keep failing until they are dead-lettered.
every(250, async () => {
  const n = Math.round(wave(40, 1, 6));
  const entries = Array.from({ length: n }, (_, i) => {
    const id = order++;
    const bad = id % 23 === 0;
    return {
      Id: `o${i}`,
      MessageBody: JSON.stringify(bad ? { id: `order-${id}`, price: 'n/a' } : {
        id: `order-${id}`, username: ['kim', 'lee', 'ana', 'sam'][id % 4], price: 1000 + (id % 7) * 2500, trackingId: `TRK-${id}`,
      }),
      MessageAttributes: { source: { DataType: 'String', StringValue: 'web' } },
    };
  });
  if (entries.length) await sqs.call('SendMessageBatch', { QueueUrl: url('orders'), Entries: entries });
});
// The order consumer fans out to mileage and tracking, and leaves bad orders undeleted.
every(200, async () => {
  const r = await sqs.call('ReceiveMessage', { QueueUrl: url('orders'), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
  for (const m of r.Messages ?? []) {
    const o = JSON.parse(m.Body);
    if (typeof o.price !== 'number') continue; // fails: back after the visibility timeout
    await sqs.call('SendMessage', { QueueUrl: url('mileage'), MessageBody: JSON.stringify({ username: o.username, points: o.price * 0.01 }) });
    await sqs.call('SendMessage', { QueueUrl: url('product-tracking'), MessageBody: JSON.stringify({ trackingId: o.trackingId, status: 'ordered' }) });
    await sqs.call('DeleteMessage', { QueueUrl: url('orders'), ReceiptHandle: m.ReceiptHandle });
  }
});
// Mileage keeps up; tracking takes messages and works on them slowly (many in flight).
every(300, async () => {
  const r = await sqs.call('ReceiveMessage', { QueueUrl: url('mileage'), MaxNumberOfMessages: 10 });
  if (r.Messages?.length) {
    await sqs.call('DeleteMessageBatch', { QueueUrl: url('mileage'), Entries: r.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
  }
});
every(1500, async () => {
  const r = await sqs.call('ReceiveMessage', { QueueUrl: url('product-tracking'), MaxNumberOfMessages: 10 });
  const done = (r.Messages ?? []).slice(0, 6);
  if (done.length) {
    await sqs.call('DeleteMessageBatch', { QueueUrl: url('product-tracking'), Entries: done.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
  }
});
// Payments: a FIFO queue whose consumer is slower than its producers.
every(400, async () => {
  await sqs.call('SendMessage', {
    QueueUrl: url('payments.fifo'),
    MessageGroupId: `customer-${order % 5}`,
    MessageBody: JSON.stringify({ payment: order, amount: 1000 + (order % 9) * 700 }),
  });
});
every(700, async () => {
  const r = await sqs.call('ReceiveMessage', { QueueUrl: url('payments.fifo'), MaxNumberOfMessages: 1 });
  for (const m of r.Messages ?? []) await sqs.call('DeleteMessage', { QueueUrl: url('payments.fifo'), ReceiptHandle: m.ReceiptHandle });
});
// Reminder e-mails are sent with a delay.
every(1000, async () => {
  await sqs.call('SendMessage', { QueueUrl: url('reminder-emails'), MessageBody: JSON.stringify({ to: `user${order % 50}@example.com`, template: 'cart-reminder' }), DelaySeconds: 45 });
});

const browser = await launchChromium({ viewport: { width: 1360, height: 820 }, colorScheme: 'light' });
try {
  // The dashboard samples while it is watched: keep it open for the whole run.
  await browser.page.goto(`${server.endpoint}/ui/`);
  for (let s = 0; s < seconds; s += 10) {
    process.stdout.write(`\r${s}/${seconds} s`);
    await sleep(10000);
  }
  process.stdout.write('\n');
  fs.mkdirSync(args.out, { recursive: true });
  // The list, cropped below the table.
  const table = await browser.page.locator('#queue-table').boundingBox();
  await browser.page.screenshot({
    path: path.join(args.out, 'dashboard.png'),
    clip: { x: 0, y: 0, width: 1360, height: Math.min(820, Math.ceil(table.y + table.height + 28)) },
  });
  await browser.page.goto(`${server.endpoint}/ui/#/queues/product-tracking`);
  await browser.page.locator('#messages tr.message').first().waitFor();
  await sleep(1500);
  await browser.page.setViewportSize({ width: 1360, height: 1000 });
  await sleep(500);
  await browser.page.screenshot({ path: path.join(args.out, 'dashboard-queue.png') });
  console.log(`wrote ${path.join(args.out, 'dashboard.png')} and dashboard-queue.png`);
} finally {
  stop = true;
  await browser.close();
  await Promise.allSettled(loops);
  sqs.destroy();
  await server.stop();
}
