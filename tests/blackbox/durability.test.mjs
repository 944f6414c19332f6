// The durable log seen from outside (issue 4, docs/STORAGE_FORMAT.md): state acknowledged to a
// client survives SIGKILL and SIGTERM restarts on the same --data-dir; in-flight messages come
// back visible with their receive counts; deleted messages, purges and deleted queues stay gone;
// FIFO deduplication ids and sequence numbers carry over; --durability memory keeps nothing.
// Tern only (the emulator has no persistence). Clients: JS v3 and v2 (JSON).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, makeClient, uniqueName, md5, md5OfMessageAttributes, normalizeAttrs, queueAttrs, receiveN,
  skipOn, sleep, REGION, ACCOUNT_ID,
} from './helpers.mjs';

const opts = skipOn(['local-aws-sqs'], 'the emulator keeps everything in memory');

const arnOf = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;

function tempDir(t, prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A server on `dataDir` with a client of `kind`; `.crash()` SIGKILLs it, `.stop()` SIGTERMs it.
async function boot(t, dataDir, kind, extra = []) {
  const server = await startServer({ extraArgs: ['--data-dir', dataDir, ...extra] });
  const c = makeClient(kind, server.endpoint);
  const h = {
    server,
    c,
    async crash() {
      c.destroy();
      server.proc.kill('SIGKILL');
      await server.exited;
      await server.stop();
    },
    async stop() {
      c.destroy();
      const code = await server.stop();
      assert.equal(code, 0, `SIGTERM exit code; output:\n${server.output()}`);
    },
    url: async (name) => (await c.call('GetQueueUrl', { QueueName: name })).QueueUrl,
  };
  t.after(async () => {
    c.destroy();
    await server.stop();
  });
  return h;
}

const ATTRS = (i) => ({
  Index: { DataType: 'Number', StringValue: String(i) },
  Note: { DataType: 'String', StringValue: `ünïcødé ${i} ✓` },
  Blob: { DataType: 'Binary', BinaryValue: Buffer.from([i, 0, 255, 10, 13]) },
});

for (const kind of ['v3', 'v2']) {
  describe(`durability via JSON (${kind})`, opts, () => {
    test('sync mode: everything acknowledged survives SIGKILL, then a SIGTERM restart', async (t) => {
      const dataDir = tempDir(t, 'tern-durable-');
      let h = await boot(t, dataDir, kind);
      let c = h.c;
      const prefix = uniqueName('dur');
      const names = {
        std: `${prefix}-std`, fifo: `${prefix}-fifo.fifo`, dlq: `${prefix}-dlq`, src: `${prefix}-src`,
        purged: `${prefix}-purged`, gone: `${prefix}-gone`,
      };
      const std = (await c.call('CreateQueue', { QueueName: names.std,
        Attributes: { VisibilityTimeout: '300', MessageRetentionPeriod: '7200', MaximumMessageSize: '65536' },
        tags: { team: 'shop', env: 'test', temp: 'x' } })).QueueUrl;
      await c.call('SetQueueAttributes', { QueueUrl: std, Attributes: { VisibilityTimeout: '600', DelaySeconds: '0' } });
      await c.call('UntagQueue', { QueueUrl: std, TagKeys: ['temp'] });
      await c.call('TagQueue', { QueueUrl: std, Tags: { env: 'prod' } });
      const fifo = (await c.call('CreateQueue', { QueueName: names.fifo,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', DeduplicationScope: 'messageGroup', VisibilityTimeout: '600' },
        tags: { kind: 'fifo' } })).QueueUrl;
      const dlq = (await c.call('CreateQueue', { QueueName: names.dlq })).QueueUrl;
      const src = (await c.call('CreateQueue', { QueueName: names.src,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(names.dlq), maxReceiveCount: 1 }) } })).QueueUrl;
      const purged = (await c.call('CreateQueue', { QueueName: names.purged })).QueueUrl;
      const gone = (await c.call('CreateQueue', { QueueName: names.gone })).QueueUrl;
      const before = {
        std: await queueAttrs(c, std), fifo: await queueAttrs(c, fifo), src: await queueAttrs(c, src),
      };

      // 30 standard messages, every third with attributes; batches and single sends.
      const sent = new Map(); // MessageId -> { body, attrs }
      for (let i = 0; i < 30; i++) {
        const body = `message ${i} ${'x'.repeat(i * 37)}`;
        const attrs = i % 3 === 0 ? ATTRS(i) : undefined;
        const r = await c.call('SendMessage', { QueueUrl: std, MessageBody: body, ...(attrs ? { MessageAttributes: attrs } : {}) });
        assert.equal(r.MD5OfMessageBody, md5(body));
        sent.set(r.MessageId, { body, attrs });
      }
      // Receive 10 (in flight for 600 s), delete 5 of them; receive one more time one of the
      // remaining after making it visible (receive count 2).
      const received = await receiveN(c, std, 10, { extra: { AttributeNames: ['All'] } });
      assert.equal(received.length, 10);
      const deleted = received.slice(0, 5);
      for (const m of deleted) await c.call('DeleteMessage', { QueueUrl: std, ReceiptHandle: m.ReceiptHandle });
      const inflight = new Map(received.slice(5).map((m) => [m.MessageId, m]));
      const twice = received[5];
      await c.call('ChangeMessageVisibility', { QueueUrl: std, ReceiptHandle: twice.ReceiptHandle, VisibilityTimeout: 0 });
      const again = await receiveN(c, std, 1, { extra: { AttributeNames: ['All'] } });
      assert.equal(again.length, 1);
      const expectedCount = new Map([...inflight.keys()].map((id) => [id, 1]));
      if (again[0].MessageId === twice.MessageId) expectedCount.set(twice.MessageId, 2);
      else inflight.set(again[0].MessageId, again[0]), expectedCount.set(again[0].MessageId, 1);
      const sentTimestamps = new Map(received.map((m) => [m.MessageId, m.Attributes.SentTimestamp]));

      // FIFO: three messages of group g, the first one in flight; an explicit dedup id.
      const f1 = await c.call('SendMessage', { QueueUrl: fifo, MessageBody: 'f1', MessageGroupId: 'g', MessageDeduplicationId: 'order-1' });
      const f2 = await c.call('SendMessage', { QueueUrl: fifo, MessageBody: 'f2', MessageGroupId: 'g' });
      const f3 = await c.call('SendMessage', { QueueUrl: fifo, MessageBody: 'f3', MessageGroupId: 'g' });
      const [fm] = (await c.call('ReceiveMessage', { QueueUrl: fifo })).Messages;
      assert.equal(fm.Body, 'f1');

      // A message moved to the DLQ before the crash.
      const poison = await c.call('SendMessage', { QueueUrl: src, MessageBody: 'poison' });
      await c.call('ReceiveMessage', { QueueUrl: src, VisibilityTimeout: 0, WaitTimeSeconds: 1 });
      await c.call('ReceiveMessage', { QueueUrl: src, VisibilityTimeout: 0 });
      assert.equal((await queueAttrs(c, dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');

      // A purge and a queue deletion.
      await c.call('SendMessageBatch', { QueueUrl: purged, Entries: [1, 2, 3].map((i) => ({ Id: `p${i}`, MessageBody: `p${i}` })) });
      await c.call('PurgeQueue', { QueueUrl: purged });
      await c.call('SendMessage', { QueueUrl: purged, MessageBody: 'after purge' });
      await c.call('DeleteQueue', { QueueUrl: gone });

      // ---- SIGKILL and restart
      await h.crash();
      h = await boot(t, dataDir, kind);
      c = h.c;

      const listed = (await c.call('ListQueues', { QueueNamePrefix: prefix })).QueueUrls ?? [];
      assert.deepEqual(listed.map((u) => u.split('/').pop()).sort(),
        [names.dlq, names.fifo, names.purged, names.src, names.std].sort(), 'the deleted queue stays deleted');
      const std2 = await h.url(names.std);
      const fifo2 = await h.url(names.fifo);
      const after = { std: await queueAttrs(c, std2), fifo: await queueAttrs(c, fifo2), src: await queueAttrs(c, await h.url(names.src)) };
      for (const q of ['std', 'fifo', 'src']) {
        for (const [k, v] of Object.entries(before[q])) {
          if (k.startsWith('Approximate') || k === 'LastModifiedTimestamp') continue;
          assert.equal(after[q][k], v, `${q} attribute ${k} after restart`);
        }
      }
      assert.equal(after.std.VisibilityTimeout, '600', 'SetQueueAttributes survived');
      assert.equal(after.std.ApproximateNumberOfMessages, '25', 'in-flight messages are visible again; deleted ones stay deleted');
      assert.equal(after.std.ApproximateNumberOfMessagesNotVisible, '0');
      assert.deepEqual((await c.call('ListQueueTags', { QueueUrl: std2 })).Tags, { team: 'shop', env: 'prod' });
      assert.deepEqual((await c.call('ListQueueTags', { QueueUrl: fifo2 })).Tags, { kind: 'fifo' });

      const back = await receiveN(c, std2, 25, { extra: { AttributeNames: ['All'], MessageAttributeNames: ['All'] }, timeoutMs: 10000 });
      assert.equal(back.length, 25);
      const deletedIds = new Set(deleted.map((m) => m.MessageId));
      for (const m of back) {
        assert.ok(!deletedIds.has(m.MessageId), 'a deleted message came back');
        const s = sent.get(m.MessageId);
        assert.ok(s, `unknown message ${m.MessageId}`);
        assert.equal(m.Body, s.body);
        assert.equal(m.MD5OfBody, md5(s.body));
        if (s.attrs) {
          assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(s.attrs));
          assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(s.attrs));
        } else {
          assert.equal(m.MessageAttributes, undefined);
        }
        const want = (expectedCount.get(m.MessageId) ?? 0) + 1;
        assert.equal(m.Attributes.ApproximateReceiveCount, String(want), `receive count of ${m.Body.slice(0, 12)}`);
        if (sentTimestamps.has(m.MessageId)) assert.equal(m.Attributes.SentTimestamp, sentTimestamps.get(m.MessageId));
      }
      assert.deepEqual(new Set(back.map((m) => m.MessageId)),
        new Set([...sent.keys()].filter((id) => !deletedIds.has(id))));

      // FIFO: the in-flight head is visible again (count 2), order kept, dedup id remembered.
      const dup = await c.call('SendMessage', { QueueUrl: fifo2, MessageBody: 'f1 retried', MessageGroupId: 'g', MessageDeduplicationId: 'order-1' });
      assert.equal(dup.MessageId, f1.MessageId, 'deduplicated across the restart');
      const cbdDup = await c.call('SendMessage', { QueueUrl: fifo2, MessageBody: 'f2', MessageGroupId: 'g' });
      assert.equal(cbdDup.MessageId, f2.MessageId, 'content-based dedup across the restart');
      const f4 = await c.call('SendMessage', { QueueUrl: fifo2, MessageBody: 'f4', MessageGroupId: 'g' });
      assert.ok(BigInt(f4.SequenceNumber) > BigInt(f3.SequenceNumber), 'SequenceNumber keeps increasing');
      const fifoBack = await receiveN(c, fifo2, 4, { extra: { AttributeNames: ['All'] } });
      assert.deepEqual(fifoBack.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount]),
        [['f1', '2'], ['f2', '1'], ['f3', '1'], ['f4', '1']]);
      assert.equal(fifoBack[0].Attributes.SequenceNumber, f1.SequenceNumber);

      const [dead] = await receiveN(c, await h.url(names.dlq), 1, { extra: { AttributeNames: ['All'] } });
      assert.equal(dead.MessageId, poison.MessageId);
      assert.equal(dead.Attributes.DeadLetterQueueSourceArn, arnOf(names.src));
      const purgedBack = await receiveN(c, await h.url(names.purged), 4, { timeoutMs: 2500 });
      assert.deepEqual(purgedBack.map((m) => m.Body), ['after purge'], 'purged messages stay purged');

      // Delete what was received, send two more, then a graceful SIGTERM restart.
      for (const m of back) await c.call('DeleteMessage', { QueueUrl: std2, ReceiptHandle: m.ReceiptHandle });
      for (const m of fifoBack.slice(0, 2)) await c.call('DeleteMessage', { QueueUrl: fifo2, ReceiptHandle: m.ReceiptHandle });
      const late = [];
      for (const b of ['late 1', 'late 2']) late.push((await c.call('SendMessage', { QueueUrl: std2, MessageBody: b })).MessageId);
      await h.stop();
      h = await boot(t, dataDir, kind);
      c = h.c;
      const std3 = await h.url(names.std);
      const a3 = await queueAttrs(c, std3);
      assert.equal(a3.ApproximateNumberOfMessages, '2');
      assert.equal(a3.VisibilityTimeout, '600');
      const last = await receiveN(c, std3, 2, { extra: { AttributeNames: ['ApproximateReceiveCount'] } });
      assert.deepEqual(last.map((m) => m.MessageId).sort(), [...late].sort());
      assert.ok(last.every((m) => m.Attributes.ApproximateReceiveCount === '1'));
      const fifoLast = await receiveN(c, await h.url(names.fifo), 2, { extra: { AttributeNames: ['ApproximateReceiveCount'] } });
      assert.deepEqual(fifoLast.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount]), [['f3', '2'], ['f4', '2']]);
      await h.stop();
    });
  });
}

describe('durability modes', opts, () => {
  test('async mode: a SIGKILL loses nothing acknowledged (the OS still has the page cache)', async (t) => {
    const dataDir = tempDir(t, 'tern-async-');
    let h = await boot(t, dataDir, 'v3', ['--durability', 'async']);
    const name = uniqueName('async');
    const url = (await h.c.call('CreateQueue', { QueueName: name })).QueueUrl;
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.c.call('SendMessageBatch', { QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: `async ${i * 10 + k}` })) });
      ids.push(...r.Successful.map((e) => e.MessageId));
    }
    await h.crash();
    h = await boot(t, dataDir, 'v3', ['--durability', 'async']);
    const got = await receiveN(h.c, await h.url(name), 40, { timeoutMs: 10000 });
    assert.deepEqual(got.map((m) => m.MessageId).sort(), [...ids].sort());
    await h.stop();
  });

  test('memory mode keeps nothing across a restart (documented)', async (t) => {
    const dataDir = tempDir(t, 'tern-memory-');
    let h = await boot(t, dataDir, 'v3', ['--durability', 'memory']);
    const name = uniqueName('mem');
    const url = (await h.c.call('CreateQueue', { QueueName: name })).QueueUrl;
    await h.c.call('SendMessage', { QueueUrl: url, MessageBody: 'ephemeral' });
    await h.stop();
    h = await boot(t, dataDir, 'v3', ['--durability', 'memory']);
    assert.deepEqual((await h.c.call('ListQueues', {})).QueueUrls ?? [], []);
    await h.c.call('CreateQueue', { QueueName: name });
    assert.equal((await queueAttrs(h.c, await h.url(name), ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0');
    await h.crash();
    h = await boot(t, dataDir, 'v3', ['--durability', 'memory']);
    assert.deepEqual((await h.c.call('ListQueues', {})).QueueUrls ?? [], []);
    await h.stop();
  });

  test('a SIGKILL right after a burst of concurrent sends loses no acknowledged message (sync)', async (t) => {
    const dataDir = tempDir(t, 'tern-burst-');
    let h = await boot(t, dataDir, 'v2');
    const name = uniqueName('burst');
    const url = (await h.c.call('CreateQueue', { QueueName: name })).QueueUrl;
    const acked = [];
    let stop = false;
    const producers = Array.from({ length: 8 }, async (_, p) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await h.c.call('SendMessage', { QueueUrl: url, MessageBody: `p${p}-${i}` });
          acked.push(r.MessageId);
        } catch {
          return; // the server is gone
        }
      }
    });
    await sleep(700);
    h.server.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(producers);
    await h.crash();
    assert.ok(acked.length > 20, `only ${acked.length} sends acknowledged`);
    h = await boot(t, dataDir, 'v2');
    const url2 = await h.url(name);
    const n = Number((await queueAttrs(h.c, url2, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages);
    // Sends in flight at the kill may or may not have been written; acknowledged ones must be there.
    assert.ok(n >= acked.length, `${n} messages after restart, ${acked.length} acknowledged`);
    const got = await receiveN(h.c, url2, n, { timeoutMs: 30000, extra: { VisibilityTimeout: 300 } });
    const present = new Set(got.map((m) => m.MessageId));
    const lost = acked.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged messages lost`);
    await h.stop();
  });
});
