// The order pipeline from the Node tutorial, unmodified in shape: an Express `purchase` service
// fans an order out to two queues with aws-sdk v2, and two sqs-consumer services (mileage and
// product tracking, on the v3 SQSClient) consume them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { Consumer } from 'sqs-consumer';
import {
  useServer, AWS, v3, REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, uniqueName, queueAttrs, waitFor,
} from './helpers.mjs';

const ctx = useServer();

test('purchase → mileage and product-tracking queues → consumers', { timeout: 90000 }, async (t) => {
  // --- queues
  const admin = ctx.client('v3');
  const mileageName = uniqueName('mileage');
  const trackingName = uniqueName('product-tracking');
  const { QueueUrl: mileageQueueUrl } = await admin.call('CreateQueue', { QueueName: mileageName });
  const { QueueUrl: trackingQueueUrl } = await admin.call('CreateQueue', { QueueName: trackingName });
  t.after(async () => {
    await admin.call('DeleteQueue', { QueueUrl: mileageQueueUrl }).catch(() => {});
    await admin.call('DeleteQueue', { QueueUrl: trackingQueueUrl }).catch(() => {});
  });

  // --- purchase service (Express + aws-sdk v2), as in the tutorial
  const sqs = new AWS.SQS({
    endpoint: ctx.endpoint,
    region: REGION,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    maxRetries: 0,
  });
  const app = express();
  app.use(express.json());
  const purchase = async (req, res) => {
    const src = req.method === 'GET' ? req.query : req.body;
    const { id, username, price, mileageAccumulated, trackingId } = src;
    try {
      await sqs.sendMessage({
        QueueUrl: mileageQueueUrl,
        MessageBody: JSON.stringify({ id, username, price: Number(price), mileageAccumulated: Number(mileageAccumulated) }),
      }).promise();
      await sqs.sendMessage({
        QueueUrl: trackingQueueUrl,
        MessageBody: JSON.stringify({ id, username, trackingId }),
      }).promise();
      res.status(200).json({ ok: true, id });
    } catch (e) {
      res.status(500).json({ ok: false, error: String(e) });
    }
  };
  app.get('/purchase', purchase);
  app.post('/purchase', purchase);
  const httpServer = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  t.after(() => new Promise((resolve) => {
    httpServer.closeAllConnections?.();
    httpServer.close(() => resolve());
  }));
  const shopUrl = `http://127.0.0.1:${httpServer.address().port}`;

  // --- consumers (sqs-consumer on the v3 client)
  const makeClient = () => new v3.SQSClient({
    endpoint: ctx.endpoint,
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
  const mileageClient = makeClient();
  const trackingClient = makeClient();
  const mileageResults = [];
  const trackingResults = [];
  const errors = [];

  const mileageConsumer = Consumer.create({
    queueUrl: mileageQueueUrl,
    sqs: mileageClient,
    waitTimeSeconds: 2,
    handleMessage: async (message) => {
      const { id, username, price, mileageAccumulated } = JSON.parse(message.Body);
      const newMileage = mileageAccumulated + price * 0.02;
      mileageResults.push({ id, username, newMileage });
      return message;
    },
  });
  const trackingConsumer = Consumer.create({
    queueUrl: trackingQueueUrl,
    sqs: trackingClient,
    waitTimeSeconds: 2,
    handleMessage: async (message) => {
      const { id, trackingId } = JSON.parse(message.Body);
      trackingResults.push({ id, trackingId });
      return message;
    },
  });
  for (const [name, c] of [['mileage', mileageConsumer], ['tracking', trackingConsumer]]) {
    c.on('error', (e) => errors.push(`${name} error: ${e.message}`));
    c.on('processing_error', (e) => errors.push(`${name} processing_error: ${e.message}`));
  }
  mileageConsumer.start();
  trackingConsumer.start();
  t.after(async () => {
    const stopped = (c) => new Promise((resolve) => {
      if (!c.status.isRunning) return resolve();
      c.once('stopped', resolve);
      c.stop({ abort: true });
      setTimeout(resolve, 5000).unref();
    });
    await Promise.all([stopped(mileageConsumer), stopped(trackingConsumer)]);
    mileageClient.destroy();
    trackingClient.destroy();
  });

  // --- an order
  const order = { id: 'order-1', username: 'kim', price: 12500, mileageAccumulated: 3000, trackingId: 'TRK-42' };
  const res = await fetch(`${shopUrl}/purchase`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  const resBody = await res.json();
  assert.equal(res.status, 200, JSON.stringify(resBody));

  // GET form of the tutorial's route as well.
  const qs = new URLSearchParams({ id: 'order-2', username: 'lee', price: '1000', mileageAccumulated: '10', trackingId: 'TRK-43' });
  const res2 = await fetch(`${shopUrl}/purchase?${qs}`);
  assert.equal(res2.status, 200, await res2.text());

  const done = await waitFor(() => mileageResults.length >= 2 && trackingResults.length >= 2,
    { timeoutMs: 10000, intervalMs: 50 });
  assert.ok(done, `consumers got both orders (mileage ${mileageResults.length}, tracking ${trackingResults.length}); errors: ${errors.join('; ')}`);
  assert.deepEqual(
    [...mileageResults].sort((a, b) => a.id.localeCompare(b.id)),
    [
      { id: 'order-1', username: 'kim', newMileage: 3000 + 12500 * 0.02 },
      { id: 'order-2', username: 'lee', newMileage: 10 + 1000 * 0.02 },
    ],
  );
  assert.deepEqual(
    [...trackingResults].sort((a, b) => a.id.localeCompare(b.id)),
    [{ id: 'order-1', trackingId: 'TRK-42' }, { id: 'order-2', trackingId: 'TRK-43' }],
  );

  // Both queues drain: sqs-consumer deletes each handled message.
  const drained = await waitFor(async () => {
    const [m, tr] = await Promise.all([queueAttrs(admin, mileageQueueUrl), queueAttrs(admin, trackingQueueUrl)]);
    const total = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']
      .reduce((s, k) => s + Number(m[k]) + Number(tr[k]), 0);
    return total === 0;
  }, { timeoutMs: 10000, intervalMs: 200 });
  assert.ok(drained, 'both queues drain to 0');
  assert.equal(mileageResults.length, 2, 'each order handled once');
  assert.equal(trackingResults.length, 2, 'each order handled once');
  assert.deepEqual(errors, []);
});
