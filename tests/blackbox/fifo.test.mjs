// FIFO queues (spec §6): name and attribute rules, MessageGroupId, deduplication (explicit,
// content-based, scopes), ordering within a group, group blocking, SequenceNumber,
// ReceiveRequestAttemptId, per-message delays, expired handles; MessageGroupId on a standard
// queue. JSON via @aws-sdk/client-sqs (v3) and aws-sdk (v2), query via /usr/bin/aws (CLI v2.9),
// and JSON via the pip AWS CLI v1 when present.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  useServer, CLIENT_KINDS, createTestQueue, expectSqsError, queueAttrs, receiveN, sleep, md5,
  md5OfMessageAttributes, normalizeAttrs, deviation, uniqueName, awsCli, cliOk, cliErr, findPipCli,
  QUERY_CLI, IS_TERN,
} from './helpers.mjs';

const ctx = useServer();

const fifoName = (p = 'fifo') => `${uniqueName(p)}.fifo`;
const sha256hex = (s) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const seqOf = (s) => BigInt(s);
const count = async (c, url) => {
  const a = await queueAttrs(c, url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible) };
};

for (const kind of CLIENT_KINDS) {
  describe(`FIFO queues via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);
    const fifo = (t, attributes = {}, name = fifoName()) =>
      createTestQueue(t, c(), { name, attributes: { FifoQueue: 'true', ...attributes } });
    const send = (url, body, extra = {}) => c().call('SendMessage', { QueueUrl: url, MessageBody: body, ...extra });
    const receive = (url, extra = {}) => c().call('ReceiveMessage', { QueueUrl: url, ...extra });
    const del = (url, m) => c().call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });

    test('a .fifo name needs FifoQueue=true and FifoQueue=true needs a .fifo name',
      deviation('answers InvalidAttributeName for FifoQueue=true on a name without .fifo'), async (t) => {
      await expectSqsError(c().call('CreateQueue', { QueueName: fifoName() }),
        { code: 'InvalidParameterValue', status: 400 }, '.fifo name without FifoQueue');
      await expectSqsError(c().call('CreateQueue', { QueueName: uniqueName('nofifo'), Attributes: { FifoQueue: 'true' } }),
        { code: 'InvalidParameterValue', status: 400 }, 'FifoQueue=true without .fifo');
      const q = await fifo(t);
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.FifoQueue, 'true');
      assert.equal(a.ContentBasedDeduplication, 'false');
      assert.equal(a.DeduplicationScope, 'queue');
      assert.equal(a.FifoThroughputLimit, 'perQueue');
      assert.match(a.QueueArn, new RegExp(`:${q.name.replace('.', '\\.')}$`));
    });

    test('FIFO-only attributes on a standard queue and changing the queue type are refused',
      deviation('answers InvalidAttributeName for FifoQueue in SetQueueAttributes of a FIFO queue'), async (t) => {
      for (const [attr, value] of [['FifoQueue', 'false'], ['ContentBasedDeduplication', 'true'],
        ['DeduplicationScope', 'queue'], ['FifoThroughputLimit', 'perQueue']]) {
        await expectSqsError(c().call('CreateQueue', { QueueName: uniqueName('std'), Attributes: { [attr]: value } }),
          { code: 'InvalidAttributeName' }, `${attr} on a standard queue`);
      }
      const q = await fifo(t);
      await expectSqsError(c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { FifoQueue: 'false' } }),
        { code: 'InvalidAttributeValue' }, 'FifoQueue=false on a FIFO queue');
      await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { FifoQueue: 'true' } });
      assert.equal((await queueAttrs(c(), q.url, ['FifoQueue'])).FifoQueue, 'true');
    });

    test('DeduplicationScope and FifoThroughputLimit: values and the perMessageGroupId rule',
      deviation('accepts DeduplicationScope=queue while FifoThroughputLimit is perMessageGroupId'), async (t) => {
      const ht = await fifo(t, { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      const a = await queueAttrs(c(), ht.url, ['DeduplicationScope', 'FifoThroughputLimit']);
      assert.deepEqual(a, { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      await expectSqsError(c().call('CreateQueue', { QueueName: fifoName(), Attributes: {
        FifoQueue: 'true', DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' } }),
      { code: ['InvalidAttributeValue', 'InvalidParameterValue'] }, 'perMessageGroupId with queue scope');
      await expectSqsError(c().call('CreateQueue', { QueueName: fifoName(), Attributes: {
        FifoQueue: 'true', FifoThroughputLimit: 'perMessageGroupId' } }),
      { code: ['InvalidAttributeValue', 'InvalidParameterValue'] }, 'perMessageGroupId with the default (queue) scope');
      await expectSqsError(c().call('CreateQueue', { QueueName: fifoName(), Attributes: {
        FifoQueue: 'true', DeduplicationScope: 'everything' } }),
      { code: ['InvalidAttributeValue', 'InvalidParameterValue'] }, 'bad DeduplicationScope');
      await expectSqsError(c().call('CreateQueue', { QueueName: fifoName(), Attributes: {
        FifoQueue: 'true', FifoThroughputLimit: 'perGalaxy' } }),
      { code: ['InvalidAttributeValue', 'InvalidParameterValue'] }, 'bad FifoThroughputLimit');
      // Moving the scope back to queue while the limit is perMessageGroupId breaks the rule too.
      await expectSqsError(c().call('SetQueueAttributes', { QueueUrl: ht.url, Attributes: { DeduplicationScope: 'queue' } }),
        { code: ['InvalidAttributeValue', 'InvalidParameterValue'] }, 'scope queue while perMessageGroupId');
      await c().call('SetQueueAttributes', { QueueUrl: ht.url, Attributes: { DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' } });
      assert.deepEqual(await queueAttrs(c(), ht.url, ['DeduplicationScope', 'FifoThroughputLimit']),
        { DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
    });

    test('MessageGroupId is required (MissingParameter), also in a batch; ids are validated',
      deviation('answers InvalidParameterValue, not MissingParameter, for a batch entry without MessageGroupId'), async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      await expectSqsError(send(q.url, 'no group'), { code: 'MissingParameter', status: 400 });
      await expectSqsError(c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [
        { Id: 'a', MessageBody: 'ok', MessageGroupId: 'g' },
        { Id: 'b', MessageBody: 'no group' },
      ] }), { code: 'MissingParameter' }, 'batch entry without group');
      await expectSqsError(send(q.url, 'long group', { MessageGroupId: 'g'.repeat(129) }),
        { code: 'InvalidParameterValue' }, '129-char group id');
      await expectSqsError(send(q.url, 'space', { MessageGroupId: 'a b' }),
        { code: 'InvalidParameterValue' }, 'space in group id');
      await expectSqsError(send(q.url, 'dedup', { MessageGroupId: 'g', MessageDeduplicationId: 'é' }),
        { code: 'InvalidParameterValue' }, 'non-ASCII dedup id');
      // Punctuation is allowed in both.
      const ok = await send(q.url, 'punct', { MessageGroupId: 'g!#$%&()*+,-./:;<=>?@[]^_`{|}~', MessageDeduplicationId: 'd:1/2' });
      assert.ok(ok.MessageId);
      assert.equal((await count(c(), q.url)).visible, 1, 'nothing of the failed batch was enqueued');

      const plain = await fifo(t);
      await expectSqsError(send(plain.url, 'no dedup id', { MessageGroupId: 'g' }),
        { code: 'InvalidParameterValue' }, 'no dedup id and no ContentBasedDeduplication');
    });

    test('an explicit MessageDeduplicationId: a duplicate answers 200 with the original MessageId and enqueues nothing',
      deviation('forgets a deduplication id when its message is deleted'), async (t) => {
      const q = await fifo(t);
      const first = await send(q.url, 'original', { MessageGroupId: 'g', MessageDeduplicationId: 'order-1' });
      assert.ok(first.SequenceNumber, 'SequenceNumber on a FIFO send');
      const dup = await send(q.url, 'a different body', { MessageGroupId: 'g', MessageDeduplicationId: 'order-1' });
      assert.equal(dup.$httpStatus, 200);
      assert.equal(dup.MessageId, first.MessageId);
      assert.equal(dup.MD5OfMessageBody, md5('a different body'), 'the MD5 is of the body that was sent');
      // Another group, same dedup id: the scope is the whole queue by default.
      const dup2 = await send(q.url, 'other group', { MessageGroupId: 'h', MessageDeduplicationId: 'order-1' });
      assert.equal(dup2.MessageId, first.MessageId);
      assert.equal((await count(c(), q.url)).visible, 1);
      const [m] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['All'] } });
      assert.equal(m.Body, 'original');
      assert.equal(m.Attributes.MessageDeduplicationId, 'order-1');
      await del(q.url, m);
      // Remembered after the delete, for the 5-minute window.
      const after = await send(q.url, 'again', { MessageGroupId: 'g', MessageDeduplicationId: 'order-1' });
      assert.equal(after.MessageId, first.MessageId);
      assert.equal((await count(c(), q.url)).visible, 0);
      const fresh = await send(q.url, 'new', { MessageGroupId: 'g', MessageDeduplicationId: 'order-2' });
      assert.notEqual(fresh.MessageId, first.MessageId);
      assert.ok(seqOf(fresh.SequenceNumber) > seqOf(first.SequenceNumber));
    });

    test('ContentBasedDeduplication: SHA-256 of the body; an explicit id overrides it', async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      const a = await send(q.url, 'same body', { MessageGroupId: 'g' });
      const b = await send(q.url, 'same body', { MessageGroupId: 'g2',
        MessageAttributes: { k: { DataType: 'String', StringValue: 'attributes do not count' } } });
      assert.equal(b.MessageId, a.MessageId);
      const c2 = await send(q.url, 'same body', { MessageGroupId: 'g', MessageDeduplicationId: 'explicit' });
      assert.notEqual(c2.MessageId, a.MessageId);
      const d = await send(q.url, 'other body', { MessageGroupId: 'g' });
      assert.notEqual(d.MessageId, a.MessageId);
      const msgs = await receiveN(c(), q.url, 3, { extra: { AttributeNames: ['MessageDeduplicationId'] } });
      assert.deepEqual(msgs.map((m) => m.Body), ['same body', 'same body', 'other body']);
      assert.equal(msgs[1].Attributes.MessageDeduplicationId, 'explicit');
      // The content-based id is the SHA-256 of the body (hex, believed to be AWS's form).
      assert.equal(msgs[0].Attributes.MessageDeduplicationId, sha256hex('same body'));
      assert.equal((await count(c(), q.url)).inflight, 3);
    });

    test('DeduplicationScope=messageGroup: the same id in two groups is two messages',
      deviation('leaves a just-sent message out of ApproximateNumberOfMessages until a 0 ms timer has run'), async (t) => {
      const q = await fifo(t, { DeduplicationScope: 'messageGroup' });
      const g1 = await send(q.url, 'g1', { MessageGroupId: 'g1', MessageDeduplicationId: 'd' });
      const g2 = await send(q.url, 'g2', { MessageGroupId: 'g2', MessageDeduplicationId: 'd' });
      assert.notEqual(g1.MessageId, g2.MessageId);
      const g1again = await send(q.url, 'g1 again', { MessageGroupId: 'g1', MessageDeduplicationId: 'd' });
      assert.equal(g1again.MessageId, g1.MessageId);
      assert.equal((await count(c(), q.url)).visible, 2);
      // Batch duplicates (also within one batch) answer the original id as well.
      const batch = await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [
        { Id: 'x', MessageBody: 'g2 dup', MessageGroupId: 'g2', MessageDeduplicationId: 'd' },
        { Id: 'y', MessageBody: 'g3', MessageGroupId: 'g3', MessageDeduplicationId: 'e' },
        { Id: 'z', MessageBody: 'g3 dup', MessageGroupId: 'g3', MessageDeduplicationId: 'e' },
      ] });
      assert.equal((batch.Failed ?? []).length, 0);
      const byId = Object.fromEntries(batch.Successful.map((e) => [e.Id, e]));
      assert.equal(byId.x.MessageId, g2.MessageId);
      assert.equal(byId.z.MessageId, byId.y.MessageId);
      assert.equal((await count(c(), q.url)).visible, 3);
    });

    test('strict order within each group across many single and batch sends; SequenceNumber increases',
      deviation('builds SequenceNumber by padding a per-group counter into a random prefix, so it drops when the counter gains a digit'), async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      const groups = ['a', 'b', 'c'];
      const sent = Object.fromEntries(groups.map((g) => [g, []]));
      // AWS: SequenceNumber increases within a message group. Tern also makes it strictly
      // increasing across the whole queue (issue 3), which is checked on Tern only.
      const lastInGroup = Object.fromEntries(groups.map((g) => [g, -1n]));
      let lastSeq = -1n;
      const checkSeq = (g, seq) => {
        assert.ok(seqOf(seq) > lastInGroup[g], `SequenceNumber increases within group ${g}`);
        lastInGroup[g] = seqOf(seq);
        if (IS_TERN) assert.ok(seqOf(seq) > lastSeq, 'Tern: SequenceNumber strictly increasing per queue');
        lastSeq = seqOf(seq);
      };
      for (let round = 0; round < 6; round++) {
        for (const g of groups) {
          const body = `${g}-${sent[g].length}`;
          const r = await send(q.url, body, { MessageGroupId: g });
          checkSeq(g, r.SequenceNumber);
          sent[g].push({ body, id: r.MessageId, seq: r.SequenceNumber });
        }
        const entries = [];
        for (let i = 0; i < 9; i++) {
          const g = groups[(i + round) % 3];
          const body = `${g}-${sent[g].length + entries.filter((e) => e.MessageGroupId === g).length}`;
          entries.push({ Id: `e${i}`, MessageBody: body, MessageGroupId: g });
        }
        const br = await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries });
        assert.equal((br.Failed ?? []).length, 0);
        const byId = Object.fromEntries(br.Successful.map((e) => [e.Id, e]));
        for (const e of entries) {
          const s = byId[e.Id];
          checkSeq(e.MessageGroupId, s.SequenceNumber);
          sent[e.MessageGroupId].push({ body: e.MessageBody, id: s.MessageId, seq: s.SequenceNumber });
        }
      }
      const total = groups.reduce((n, g) => n + sent[g].length, 0);
      const got = Object.fromEntries(groups.map((g) => [g, []]));
      const deadline = Date.now() + 20000;
      let n = 0;
      while (n < total && Date.now() < deadline) {
        const r = await receive(q.url, { MaxNumberOfMessages: 7, WaitTimeSeconds: 1,
          AttributeNames: ['SequenceNumber', 'MessageGroupId'] });
        for (const m of r.Messages ?? []) {
          got[m.Attributes.MessageGroupId].push({ body: m.Body, id: m.MessageId, seq: m.Attributes.SequenceNumber });
          n++;
        }
        if (r.Messages?.length) {
          await c().call('DeleteMessageBatch', { QueueUrl: q.url,
            Entries: r.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
        }
      }
      for (const g of groups) assert.deepEqual(got[g], sent[g], `group ${g} in order, each once`);
    });

    test('a group is blocked while one of its messages is in flight; other groups flow',
      deviation('does not block a message group while one of its messages is in flight'), async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      for (const b of ['a1', 'a2', 'a3']) await send(q.url, b, { MessageGroupId: 'A' });
      await send(q.url, 'b1', { MessageGroupId: 'B' });
      const r1 = await receive(q.url, { MaxNumberOfMessages: 1 });
      assert.equal(r1.Messages[0].Body, 'a1');
      const r2 = await receive(q.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      assert.deepEqual((r2.Messages ?? []).map((m) => m.Body), ['b1'], 'only group B while a1 is in flight');
      const r3 = await receive(q.url, { MaxNumberOfMessages: 10 });
      assert.equal((r3.Messages ?? []).length, 0, 'both groups blocked');
      await del(q.url, r1.Messages[0]);
      const r4 = await receive(q.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      assert.deepEqual((r4.Messages ?? []).map((m) => m.Body), ['a2', 'a3'], 'released by the delete');
      // Release on visibility expiry: the same messages come back first, in order.
      await c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: r4.Messages[0].ReceiptHandle, VisibilityTimeout: 1 });
      await c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: r4.Messages[1].ReceiptHandle, VisibilityTimeout: 1 });
      const blocked = await receive(q.url, { MaxNumberOfMessages: 10 });
      assert.equal((blocked.Messages ?? []).length, 0);
      const r5 = await receive(q.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 5,
        AttributeNames: ['ApproximateReceiveCount'] });
      assert.deepEqual((r5.Messages ?? []).map((m) => [m.Body, m.Attributes.ApproximateReceiveCount]),
        [['a2', '2'], ['a3', '2']]);
    });

    test('a long poll waiting on a blocked group is woken when the group is released', async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      await send(q.url, 'first', { MessageGroupId: 'G' });
      await send(q.url, 'second', { MessageGroupId: 'G' });
      const [m] = (await receive(q.url)).Messages;
      const t0 = Date.now();
      const pending = receive(q.url, { WaitTimeSeconds: 10 });
      await sleep(300);
      await del(q.url, m);
      const r = await pending;
      assert.equal(r.Messages?.[0]?.Body, 'second');
      assert.ok(Date.now() - t0 < 5000, 'woken by the delete, not by the end of the wait');
    });

    test('one receive fills from several groups, keeping each group in order', async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      for (const g of ['x', 'y', 'z']) {
        await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [1, 2, 3].map((i) =>
          ({ Id: `m${i}`, MessageBody: `${g}${i}`, MessageGroupId: g })) });
      }
      const r = await receive(q.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
        AttributeNames: ['MessageGroupId'] });
      const bodies = (r.Messages ?? []).map((m) => m.Body);
      assert.equal(bodies.length, 9, `one receive returned ${bodies}`);
      for (const g of ['x', 'y', 'z']) {
        assert.deepEqual(bodies.filter((b) => b[0] === g), [`${g}1`, `${g}2`, `${g}3`]);
      }
      // Messages of one group come together (as many of one group as possible).
      const runs = bodies.map((b) => b[0]).filter((g, i, a) => i === 0 || a[i - 1] !== g);
      assert.equal(runs.length, 3, `groups contiguous: ${bodies}`);
      assert.ok(r.Messages.every((m) => m.Attributes.MessageGroupId === m.Body[0]));
    });

    test('SequenceNumber, MessageGroupId, MessageDeduplicationId as system attributes', async (t) => {
      const q = await fifo(t);
      const s = await send(q.url, 'attrs', { MessageGroupId: 'grp', MessageDeduplicationId: 'dd',
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
      assert.match(s.SequenceNumber, /^\d+$/);
      const [m] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['All'], MessageAttributeNames: ['All'] } });
      assert.equal(m.Attributes.SequenceNumber, s.SequenceNumber);
      assert.equal(m.Attributes.MessageGroupId, 'grp');
      assert.equal(m.Attributes.MessageDeduplicationId, 'dd');
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      assert.ok(m.Attributes.SentTimestamp && m.Attributes.SenderId && m.Attributes.ApproximateFirstReceiveTimestamp);
      assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes({ k: { DataType: 'String', StringValue: 'v' } }));
      assert.deepEqual(normalizeAttrs(m.MessageAttributes), { k: { DataType: 'String', StringValue: 'v' } });
    });

    test('ReceiveRequestAttemptId: a retry returns the same messages and receipt handles',
      deviation('ignores ReceiveRequestAttemptId'), async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      for (const b of ['r1', 'r2', 'r3']) await send(q.url, b, { MessageGroupId: 'R' });
      await send(q.url, 's1', { MessageGroupId: 'S' });
      const first = await receive(q.url, { MaxNumberOfMessages: 2, ReceiveRequestAttemptId: 'attempt-1', VisibilityTimeout: 60 });
      assert.deepEqual(first.Messages.map((m) => m.Body), ['r1', 'r2']);
      const retry = await receive(q.url, { MaxNumberOfMessages: 2, ReceiveRequestAttemptId: 'attempt-1', VisibilityTimeout: 60,
        AttributeNames: ['ApproximateReceiveCount'] });
      assert.deepEqual(retry.Messages.map((m) => m.MessageId), first.Messages.map((m) => m.MessageId));
      assert.deepEqual(retry.Messages.map((m) => m.ReceiptHandle), first.Messages.map((m) => m.ReceiptHandle));
      // A different attempt id is a new receive: group R is blocked, S flows.
      const other = await receive(q.url, { MaxNumberOfMessages: 10, ReceiveRequestAttemptId: 'attempt-2' });
      assert.deepEqual((other.Messages ?? []).map((m) => m.Body), ['s1']);
      // The handles of the first attempt work.
      await del(q.url, first.Messages[0]);
      await del(q.url, first.Messages[1]);
      const next = await receive(q.url, { MaxNumberOfMessages: 10, ReceiveRequestAttemptId: 'attempt-3' });
      assert.deepEqual((next.Messages ?? []).map((m) => m.Body), ['r3']);
      await expectSqsError(receive(q.url, { ReceiveRequestAttemptId: 'x'.repeat(129) }),
        { code: 'InvalidParameterValue' }, '129-char attempt id');
    });

    test('per-message DelaySeconds: non-zero is InvalidParameterValue, 0 is accepted; queue delay applies',
      deviation('rejects an explicit DelaySeconds 0 on a FIFO queue'), async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      const err = await expectSqsError(send(q.url, 'delayed', { MessageGroupId: 'g', DelaySeconds: 2 }),
        { code: 'InvalidParameterValue', status: 400 });
      assert.match(err.sqsMessage, /DelaySeconds/);
      const ok = await send(q.url, 'zero', { MessageGroupId: 'g', DelaySeconds: 0 });
      assert.ok(ok.MessageId);
      const delayedQ = await fifo(t, { ContentBasedDeduplication: 'true', DelaySeconds: '1' });
      await send(delayedQ.url, 'queue delay', { MessageGroupId: 'g' });
      assert.equal((await receive(delayedQ.url)).Messages?.length ?? 0, 0, 'not yet visible');
      const [m] = await receiveN(c(), delayedQ.url, 1, { timeoutMs: 4000 });
      assert.equal(m?.Body, 'queue delay');
    });

    test('DeleteMessage with an expired receipt handle is InvalidParameterValue on a FIFO queue', async (t) => {
      const q = await fifo(t, { ContentBasedDeduplication: 'true' });
      await send(q.url, 'expire me', { MessageGroupId: 'g' });
      const [m] = (await receive(q.url, { VisibilityTimeout: 1 })).Messages;
      await sleep(1600);
      await expectSqsError(del(q.url, m), { code: 'InvalidParameterValue', status: 400 }, 'expired handle');
      assert.equal((await count(c(), q.url)).visible, 1, 'the message is still there');
      const [again] = (await receive(q.url, { WaitTimeSeconds: 1 })).Messages;
      assert.equal(again.MessageId, m.MessageId);
      await del(q.url, again);
      assert.deepEqual(await count(c(), q.url), { visible: 0, inflight: 0 });
    });

    test('a standard queue accepts MessageGroupId and returns it; MessageDeduplicationId is refused', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await send(q.url, 'fair', { MessageGroupId: 'tenant-1' });
      assert.equal(r.SequenceNumber, undefined);
      const [m] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['All'] } });
      assert.equal(m.Attributes.MessageGroupId, 'tenant-1');
      assert.equal(m.Attributes.SequenceNumber, undefined);
      await expectSqsError(send(q.url, 'dedup', { MessageDeduplicationId: 'x' }),
        { code: 'InvalidParameterValue' }, 'MessageDeduplicationId on a standard queue');
      const b = await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [
        { Id: 'a', MessageBody: 'fair batch', MessageGroupId: 'tenant-2' }] });
      assert.equal(b.Successful.length, 1);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The query protocol (CLI v2.9) and JSON via botocore (CLI v1)

const haveQueryCli = fs.existsSync(QUERY_CLI);
const pip = await findPipCli();

for (const [label, bin, opts] of [
  ['query via /usr/bin/aws (CLI v2.9)', QUERY_CLI, haveQueryCli ? {} : { skip: `${QUERY_CLI} not installed` }],
  [`JSON via pip AWS CLI ${pip?.version ?? 'v1'}`, pip?.path, pip ? {} : { skip: 'no AWS CLI v1 on PATH' }],
]) {
  describe(`FIFO ${label}`, opts, () => {
    const aws = (...args) => awsCli(ctx.endpoint, args, { bin });

    test('create, dedup, batch order, system attributes, blocked group, validation errors',
      deviation('ignores ReceiveRequestAttemptId'), async (t) => {
      const name = fifoName('clififo');
      const q = cliOk(await aws('create-queue', '--queue-name', name, '--attributes',
        'FifoQueue=true,ContentBasedDeduplication=true')).QueueUrl;
      t.after(() => aws('delete-queue', '--queue-url', q));
      cliErr(await aws('create-queue', '--queue-name', fifoName('clibad')), 'InvalidParameterValue');

      const s1 = cliOk(await aws('send-message', '--queue-url', q, '--message-body', 'one',
        '--message-group-id', 'g', '--message-deduplication-id', 'd1'));
      assert.match(s1.SequenceNumber, /^\d+$/);
      const dup = cliOk(await aws('send-message', '--queue-url', q, '--message-body', 'one again',
        '--message-group-id', 'g', '--message-deduplication-id', 'd1'));
      assert.equal(dup.MessageId, s1.MessageId);
      const cbd = cliOk(await aws('send-message', '--queue-url', q, '--message-body', 'two', '--message-group-id', 'g'));
      const cbdDup = cliOk(await aws('send-message', '--queue-url', q, '--message-body', 'two', '--message-group-id', 'h'));
      assert.equal(cbdDup.MessageId, cbd.MessageId);
      const batch = cliOk(await aws('send-message-batch', '--queue-url', q, '--entries', JSON.stringify(
        ['three', 'four', 'five'].map((b, i) => ({ Id: `e${i}`, MessageBody: b, MessageGroupId: 'g' })))));
      assert.equal(batch.Successful.length, 3);
      const seqs = batch.Successful.sort((a, b) => a.Id.localeCompare(b.Id)).map((e) => BigInt(e.SequenceNumber));
      assert.ok(seqs[0] > BigInt(cbd.SequenceNumber) && seqs[1] > seqs[0] && seqs[2] > seqs[1]);

      cliErr(await aws('send-message', '--queue-url', q, '--message-body', 'x'), 'MissingParameter');
      cliErr(await aws('send-message', '--queue-url', q, '--message-body', 'x', '--message-group-id', 'g',
        '--delay-seconds', '5'), 'InvalidParameterValue');

      const r = cliOk(await aws('receive-message', '--queue-url', q, '--max-number-of-messages', '2',
        '--attribute-names', 'All', '--receive-request-attempt-id', 'try-1'));
      assert.deepEqual(r.Messages.map((m) => m.Body), ['one', 'two']);
      assert.equal(r.Messages[0].Attributes.MessageGroupId, 'g');
      assert.equal(r.Messages[0].Attributes.MessageDeduplicationId, 'd1');
      assert.equal(r.Messages[0].Attributes.SequenceNumber, s1.SequenceNumber);
      assert.equal(r.Messages[1].Attributes.MessageDeduplicationId, sha256hex('two'));
      const retry = cliOk(await aws('receive-message', '--queue-url', q, '--max-number-of-messages', '2',
        '--receive-request-attempt-id', 'try-1'));
      assert.deepEqual(retry.Messages.map((m) => m.ReceiptHandle), r.Messages.map((m) => m.ReceiptHandle));
      const blocked = cliOk(await aws('receive-message', '--queue-url', q, '--max-number-of-messages', '10'));
      assert.equal((blocked.Messages ?? []).length, 0, 'group g blocked while in flight');
      for (const m of r.Messages) cliOk(await aws('delete-message', '--queue-url', q, '--receipt-handle', m.ReceiptHandle));
      const rest = cliOk(await aws('receive-message', '--queue-url', q, '--max-number-of-messages', '10',
        '--wait-time-seconds', '1'));
      assert.deepEqual(rest.Messages.map((m) => m.Body), ['three', 'four', 'five']);
    });
  });
}
