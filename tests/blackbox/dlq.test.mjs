// Dead-letter queues, redrive and message move tasks (spec §7): RedrivePolicy and
// RedriveAllowPolicy validation, the move on the receive past maxReceiveCount,
// ListDeadLetterSourceQueues, StartMessageMoveTask / ListMessageMoveTasks /
// CancelMessageMoveTask. JSON via @aws-sdk/client-sqs (v3) and aws-sdk (v2); query via
// /usr/bin/aws (CLI v2.9).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  useServer, CLIENT_KINDS, createTestQueue, expectSqsError, queueAttrs, receiveN, sleep, md5,
  md5OfMessageAttributes, normalizeAttrs, deviation, uniqueName, waitFor, awsCli, cliOk, cliErr,
  rawQuery, xmlText, QUERY_CLI, ACCOUNT_ID, REGION,
} from './helpers.mjs';

const ctx = useServer();

const arnOf = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
const redrive = (dlqName, maxReceiveCount) =>
  JSON.stringify({ deadLetterTargetArn: arnOf(dlqName), maxReceiveCount });
const ATTRS = {
  City: { DataType: 'String', StringValue: 'Any City' },
  Blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
};

// Spec §7: a bad RedrivePolicy is InvalidParameterValue ("Value <policy> for parameter
// RedrivePolicy is invalid. Reason: …"). The spec says nothing about RedriveAllowPolicy
// problems, so either attribute error is accepted there.
const BAD_REDRIVE = 'InvalidParameterValue';
const BAD_ALLOW = ['InvalidParameterValue', 'InvalidAttributeValue'];

// Runs every check and returns the mismatches (one failing case does not hide the others).
async function errorMismatches(checks) {
  const problems = [];
  for (const [what, call, code] of checks) {
    try {
      await expectSqsError(call(), { code }, what);
    } catch (e) {
      problems.push(e.message.split('\n')[0]);
    }
  }
  return problems;
}

async function allErrors(checks) {
  const problems = await errorMismatches(checks);
  assert.deepEqual(problems, [], problems.join('\n'));
}

for (const kind of CLIENT_KINDS) {
  describe(`dead-letter queues and move tasks via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);
    const send = (url, body, extra = {}) => c().call('SendMessage', { QueueUrl: url, MessageBody: body, ...extra });
    const receive = (url, extra = {}) => c().call('ReceiveMessage', { QueueUrl: url, ...extra });
    const counts = async (url) => {
      const a = await queueAttrs(c(), url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };
    const setAttrs = (url, Attributes) => c().call('SetQueueAttributes', { QueueUrl: url, Attributes });
    // A DLQ and a source queue redriving to it after `max` receives.
    async function pair(t, { max = 1, fifo = false, sourceAttrs = {}, dlqAttrs = {} } = {}) {
      const sfx = fifo ? '.fifo' : '';
      const fifoAttrs = fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {};
      const dlq = await createTestQueue(t, c(), { name: uniqueName('dlq') + sfx, attributes: { ...fifoAttrs, ...dlqAttrs } });
      const src = await createTestQueue(t, c(), { name: uniqueName('src') + sfx,
        attributes: { ...fifoAttrs, RedrivePolicy: redrive(dlq.name, max), ...sourceAttrs } });
      return { dlq, src };
    }
    // Moves `n` messages of `src` into its DLQ (maxReceiveCount=1): receive each once, then
    // once more to trigger the move.
    async function fillDlq(src, dlq, n, prefix = 'm') {
      const sent = [];
      for (let i = 0; i < n; i += 10) {
        const entries = Array.from({ length: Math.min(10, n - i) }, (_, k) =>
          ({ Id: `e${k}`, MessageBody: `${prefix}${i + k}` }));
        const r = await c().call('SendMessageBatch', { QueueUrl: src.url, Entries: entries });
        sent.push(...r.Successful.sort((a, b) => Number(a.Id.slice(1)) - Number(b.Id.slice(1))).map((e) => e.MessageId));
      }
      const got = await receiveN(c(), src.url, n, { extra: { VisibilityTimeout: 0 }, timeoutMs: 10000 });
      assert.equal(got.length, n, 'first receives');
      await waitFor(async () => {
        await receive(src.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
        return (await counts(dlq.url)) === n;
      }, { timeoutMs: 10000, intervalMs: 0 });
      assert.equal(await counts(dlq.url), n, 'all moved to the DLQ');
      assert.equal(await counts(src.url), 0, 'none left in the source');
      return sent;
    }
    async function tasks(sourceArn, MaxResults = 10) {
      return (await c().call('ListMessageMoveTasks', { SourceArn: sourceArn, MaxResults })).Results ?? [];
    }

    test('RedrivePolicy validation: missing target, queue type, maxReceiveCount range, members',
      deviation('answers InvalidAttributeName for a FIFO/standard type mismatch; accepts a non-numeric maxReceiveCount and a DLQ in another region'), async (t) => {
      const dlq = await createTestQueue(t, c(), { name: uniqueName('dlq') });
      const fifoDlq = await createTestQueue(t, c(), { name: `${uniqueName('dlq')}.fifo`, attributes: { FifoQueue: 'true' } });
      const src = await createTestQueue(t, c());
      const fifoSrc = await createTestQueue(t, c(), { name: `${uniqueName('src')}.fifo`, attributes: { FifoQueue: 'true' } });
      const bad = [
        ['target does not exist', src, redrive(uniqueName('nope'), 3)],
        ['standard source, FIFO DLQ', src, redrive(fifoDlq.name, 3)],
        ['FIFO source, standard DLQ', fifoSrc, redrive(dlq.name, 3)],
        ['maxReceiveCount 0', src, redrive(dlq.name, 0)],
        ['maxReceiveCount 1001', src, redrive(dlq.name, 1001)],
        ['maxReceiveCount not a number', src, redrive(dlq.name, 'lots')],
        ['no maxReceiveCount', src, JSON.stringify({ deadLetterTargetArn: arnOf(dlq.name) })],
        ['no deadLetterTargetArn', src, JSON.stringify({ maxReceiveCount: 3 })],
        ['not JSON', src, 'deadLetterTargetArn=x'],
        ['another region', src, JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:eu-west-3:${ACCOUNT_ID}:${dlq.name}`, maxReceiveCount: 3 })],
      ];
      const problems = await errorMismatches(bad.flatMap(([what, q, policy]) => [
        [`SetQueueAttributes: ${what}`, () => setAttrs(q.url, { RedrivePolicy: policy }), BAD_REDRIVE],
        [`CreateQueue: ${what}`, () => c().call('CreateQueue', { QueueName: uniqueName('src') + (q === fifoSrc ? '.fifo' : ''),
          Attributes: { ...(q === fifoSrc ? { FifoQueue: 'true' } : {}), RedrivePolicy: policy } }), BAD_REDRIVE],
      ]));
      const leftOver = (await queueAttrs(c(), src.url)).RedrivePolicy;
      if (leftOver !== undefined) problems.push(`a refused policy was set: ${leftOver}`);
      // Bounds, and maxReceiveCount as a string.
      for (const n of [1, 1000, '7']) {
        await setAttrs(src.url, { RedrivePolicy: redrive(dlq.name, n) });
        const p = JSON.parse((await queueAttrs(c(), src.url, ['RedrivePolicy'])).RedrivePolicy);
        assert.equal(p.deadLetterTargetArn, arnOf(dlq.name));
        assert.equal(Number(p.maxReceiveCount), Number(n));
      }
      await setAttrs(fifoSrc.url, { RedrivePolicy: redrive(fifoDlq.name, 2) });
      // "" removes the policy.
      await setAttrs(src.url, { RedrivePolicy: '' });
      assert.equal((await queueAttrs(c(), src.url)).RedrivePolicy, undefined);
      assert.deepEqual(problems, [], `bad RedrivePolicy values:\n${problems.join('\n')}`);
    });

    test('the receive past maxReceiveCount moves the message, keeping id, body, attributes, timestamp, count',
      deviation('gives a message moved to the DLQ a new SentTimestamp'), async (t) => {
      const { dlq, src } = await pair(t, { max: 2 });
      const sent = await send(src.url, 'poison', { MessageAttributes: ATTRS });
      const sys = { AttributeNames: ['All'], MessageAttributeNames: ['All'], VisibilityTimeout: 0 };
      const r1 = (await receive(src.url, { ...sys, WaitTimeSeconds: 1 })).Messages[0];
      assert.equal(r1.Attributes.ApproximateReceiveCount, '1');
      const r2 = (await receive(src.url, sys)).Messages[0];
      assert.equal(r2.Attributes.ApproximateReceiveCount, '2');
      const r3 = await receive(src.url, sys);
      assert.equal((r3.Messages ?? []).length, 0, 'the third receive moves it instead of returning it');
      assert.equal(await counts(src.url), 0);
      assert.equal((await queueAttrs(c(), dlq.url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
      const [m] = await receiveN(c(), dlq.url, 1, { extra: { AttributeNames: ['All'], MessageAttributeNames: ['All'] } });
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.Body, 'poison');
      assert.equal(m.MD5OfBody, md5('poison'));
      assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(ATTRS));
      assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(ATTRS));
      assert.equal(m.Attributes.SentTimestamp, r1.Attributes.SentTimestamp);
      assert.equal(m.Attributes.DeadLetterQueueSourceArn, arnOf(src.name));
      assert.ok(Number(m.Attributes.ApproximateReceiveCount) > 2,
        `the receive count continues in the DLQ (got ${m.Attributes.ApproximateReceiveCount})`);
    });

    test('maxReceiveCount=1: the first receive delivers, the second attempt moves', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      await send(src.url, 'once');
      assert.equal((await receive(src.url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 })).Messages?.length, 1);
      assert.equal((await receive(src.url, { VisibilityTimeout: 0 })).Messages?.length ?? 0, 0);
      const [m] = await receiveN(c(), dlq.url, 1);
      assert.equal(m.Body, 'once');
    });

    test('FIFO source to FIFO DLQ: group order is kept in the DLQ', async (t) => {
      const { dlq, src } = await pair(t, { max: 1, fifo: true });
      for (const b of ['f1', 'f2', 'f3']) await send(src.url, b, { MessageGroupId: 'g' });
      // Each receive sees the head of the group; with VisibilityTimeout 0 the second look moves it.
      const deadline = Date.now() + 10000;
      while ((await counts(dlq.url)) < 3 && Date.now() < deadline) {
        await receive(src.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      }
      assert.equal(await counts(dlq.url), 3);
      const got = await receiveN(c(), dlq.url, 3, { extra: { AttributeNames: ['All'] } });
      assert.deepEqual(got.map((m) => m.Body), ['f1', 'f2', 'f3']);
      assert.ok(got.every((m) => m.Attributes.MessageGroupId === 'g'));
      assert.ok(got.every((m) => m.Attributes.DeadLetterQueueSourceArn === arnOf(src.name)));
    });

    test('RedriveAllowPolicy: denyAll and byQueue refuse a source; byQueue admits the listed one',
      deviation('does not enforce RedriveAllowPolicy'), async (t) => {
      const deny = await createTestQueue(t, c(), { name: uniqueName('deny'),
        attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) } });
      const allowed = await createTestQueue(t, c(), { name: uniqueName('allowed') });
      const other = await createTestQueue(t, c(), { name: uniqueName('other') });
      const byQueue = await createTestQueue(t, c(), { name: uniqueName('byq'), attributes: {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arnOf(allowed.name)] }) } });
      await expectSqsError(setAttrs(other.url, { RedrivePolicy: redrive(deny.name, 3) }), { code: BAD_REDRIVE }, 'denyAll');
      await expectSqsError(setAttrs(other.url, { RedrivePolicy: redrive(byQueue.name, 3) }), { code: BAD_REDRIVE }, 'byQueue, not listed');
      await setAttrs(allowed.url, { RedrivePolicy: redrive(byQueue.name, 3) });
      const p = JSON.parse((await queueAttrs(c(), byQueue.url, ['RedriveAllowPolicy'])).RedriveAllowPolicy);
      assert.equal(p.redrivePermission, 'byQueue');
      assert.deepEqual(p.sourceQueueArns, [arnOf(allowed.name)]);
      // Policy validation.
      await allErrors([
        ['unknown permission', { redrivePermission: 'someone' }],
        ['byQueue without ARNs', { redrivePermission: 'byQueue' }],
        ['more than 10 ARNs', { redrivePermission: 'byQueue', sourceQueueArns: Array.from({ length: 11 }, (_, i) => arnOf(`q${i}`)) }],
        ['ARNs with allowAll', { redrivePermission: 'allowAll', sourceQueueArns: [arnOf(allowed.name)] }],
        ['not JSON', 'denyAll'],
      ].map(([what, v]) => [what, () => setAttrs(other.url, { RedriveAllowPolicy: typeof v === 'string' ? v : JSON.stringify(v) }), BAD_ALLOW]));
      await setAttrs(deny.url, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) });
      await setAttrs(other.url, { RedrivePolicy: redrive(deny.name, 3) });
    });

    test('ListDeadLetterSourceQueues: all sources, MaxResults/NextToken paging, errors',
      deviation('accepts MaxResults 0 and 1001 in ListDeadLetterSourceQueues'), async (t) => {
      const dlq = await createTestQueue(t, c(), { name: uniqueName('dlq') });
      const sources = [];
      for (let i = 0; i < 3; i++) {
        sources.push((await createTestQueue(t, c(), { name: uniqueName(`src${i}`),
          attributes: { RedrivePolicy: redrive(dlq.name, 5) } })).url);
      }
      await createTestQueue(t, c(), { name: uniqueName('unrelated') });
      const all = await c().call('ListDeadLetterSourceQueues', { QueueUrl: dlq.url });
      assert.deepEqual([...all.queueUrls].sort(), [...sources].sort());
      assert.equal(all.NextToken, undefined);
      const p1 = await c().call('ListDeadLetterSourceQueues', { QueueUrl: dlq.url, MaxResults: 2 });
      assert.equal(p1.queueUrls.length, 2);
      assert.ok(p1.NextToken, 'NextToken when more remain');
      const p2 = await c().call('ListDeadLetterSourceQueues', { QueueUrl: dlq.url, MaxResults: 2, NextToken: p1.NextToken });
      assert.equal(p2.queueUrls.length, 1);
      assert.equal(p2.NextToken, undefined);
      assert.deepEqual([...p1.queueUrls, ...p2.queueUrls].sort(), [...sources].sort());
      const none = await c().call('ListDeadLetterSourceQueues', { QueueUrl: sources[0] });
      assert.deepEqual(none.queueUrls ?? [], []);
      await expectSqsError(c().call('ListDeadLetterSourceQueues', { QueueUrl: ctx.queueUrl(uniqueName('missing')) }),
        { code: 'AWS.SimpleQueueService.NonExistentQueue' });
      for (const n of [0, 1001]) {
        await expectSqsError(c().call('ListDeadLetterSourceQueues', { QueueUrl: dlq.url, MaxResults: n }),
          { code: 'InvalidParameterValue' }, `MaxResults ${n}`);
      }
      // Removing a policy removes the source.
      await setAttrs(sources[0], { RedrivePolicy: '' });
      const after = await c().call('ListDeadLetterSourceQueues', { QueueUrl: dlq.url });
      assert.deepEqual([...after.queueUrls].sort(), sources.slice(1).sort());
    });

    test('StartMessageMoveTask back to the source: new messages, then COMPLETED with counts', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      const oldIds = await fillDlq(src, dlq, 5);
      const started = Date.now();
      const { TaskHandle } = await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name) });
      assert.ok(TaskHandle, 'a task handle');
      const done = await waitFor(async () => (await tasks(arnOf(dlq.name)))[0]?.Status === 'COMPLETED' && (await tasks(arnOf(dlq.name)))[0],
        { timeoutMs: 10000 });
      assert.ok(done, 'task completed');
      assert.equal(done.Status, 'COMPLETED');
      assert.equal(done.SourceArn, arnOf(dlq.name));
      assert.equal(done.DestinationArn, undefined, 'no destination: back to each source');
      assert.equal(Number(done.ApproximateNumberOfMessagesMoved), 5);
      assert.equal(Number(done.ApproximateNumberOfMessagesToMove), 5);
      assert.equal(done.TaskHandle, undefined, 'TaskHandle only while RUNNING');
      assert.ok(Number(done.StartedTimestamp) >= started - 2000 && Number(done.StartedTimestamp) <= Date.now() + 2000,
        `StartedTimestamp in epoch ms: ${done.StartedTimestamp}`);
      assert.equal(await counts(dlq.url), 0);
      const back = await receiveN(c(), src.url, 5, { extra: { AttributeNames: ['All'] } });
      assert.deepEqual(back.map((m) => m.Body).sort(), ['m0', 'm1', 'm2', 'm3', 'm4']);
      for (const m of back) {
        assert.ok(!oldIds.includes(m.MessageId), 'a redriven message is a new message (new MessageId)');
        assert.equal(m.Attributes.ApproximateReceiveCount, '1');
        assert.equal(m.Attributes.DeadLetterQueueSourceArn, undefined);
      }
    });

    test('StartMessageMoveTask to an explicit destination', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      const dest = await createTestQueue(t, c(), { name: uniqueName('dest') });
      await fillDlq(src, dlq, 3, 'x');
      await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name), DestinationArn: arnOf(dest.name) });
      const got = await receiveN(c(), dest.url, 3, { timeoutMs: 10000 });
      assert.deepEqual(got.map((m) => m.Body).sort(), ['x0', 'x1', 'x2']);
      assert.equal(await counts(src.url), 0, 'nothing went back to the source');
      const [task] = await waitFor(async () => {
        const r = await tasks(arnOf(dlq.name));
        return r[0]?.Status === 'COMPLETED' && r;
      });
      assert.equal(task.DestinationArn, arnOf(dest.name));
      assert.equal(Number(task.ApproximateNumberOfMessagesMoved), 3);
      await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name), DestinationArn: arnOf(uniqueName('nope')) }),
        { code: ['ResourceNotFoundException', 'InvalidParameterValue', 'AWS.SimpleQueueService.NonExistentQueue'] },
        'destination does not exist');
    });

    test('MaxNumberOfMessagesPerSecond is honoured: 20 messages at 10/s take at least 1.5 s; RUNNING then COMPLETED', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      await fillDlq(src, dlq, 20);
      const t0 = Date.now();
      const { TaskHandle } = await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name), MaxNumberOfMessagesPerSecond: 10 });
      const [running] = await tasks(arnOf(dlq.name));
      assert.equal(running.Status, 'RUNNING');
      assert.equal(running.TaskHandle, TaskHandle);
      assert.equal(Number(running.MaxNumberOfMessagesPerSecond), 10);
      assert.equal(Number(running.ApproximateNumberOfMessagesToMove), 20);
      assert.ok(Number(running.ApproximateNumberOfMessagesMoved) < 20);
      const done = await waitFor(async () => (await counts(src.url)) === 20, { timeoutMs: 15000, intervalMs: 50 });
      const elapsed = Date.now() - t0;
      assert.ok(done, 'all 20 back in the source');
      assert.ok(elapsed >= 1500, `20 messages at 10/s arrived after only ${elapsed} ms`);
      assert.ok(elapsed < 6000, `20 messages at 10/s took ${elapsed} ms`);
      const [final] = await waitFor(async () => {
        const r = await tasks(arnOf(dlq.name));
        return r[0]?.Status === 'COMPLETED' && r;
      });
      assert.equal(Number(final.ApproximateNumberOfMessagesMoved), 20);
    });

    test('CancelMessageMoveTask on a running slow task: CANCELLED, the rest stays in the DLQ', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      await fillDlq(src, dlq, 12);
      const { TaskHandle } = await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name), MaxNumberOfMessagesPerSecond: 1 });
      await sleep(1200);
      const cancel = await c().call('CancelMessageMoveTask', { TaskHandle });
      const moved = Number(cancel.ApproximateNumberOfMessagesMoved);
      assert.ok(moved >= 0 && moved < 12, `moved ${moved} before the cancel`);
      const [task] = await waitFor(async () => {
        const r = await tasks(arnOf(dlq.name));
        return r[0]?.Status === 'CANCELLED' && r;
      });
      assert.equal(task.Status, 'CANCELLED');
      await sleep(1500);
      const inSrc = await counts(src.url);
      const inDlq = await counts(dlq.url);
      assert.equal(inSrc + inDlq, 12, 'no message lost or duplicated');
      assert.ok(inDlq >= 12 - moved - 1 && inDlq > 0, `the rest stays in the DLQ (src ${inSrc}, dlq ${inDlq})`);
      // Only a running task can be cancelled.
      await expectSqsError(c().call('CancelMessageMoveTask', { TaskHandle }),
        { code: ['ResourceNotFoundException', 'InvalidParameterValue', 'AWS.SimpleQueueService.UnsupportedOperation'] },
        'cancel a cancelled task');
      // A new task can start now, and most recent comes first.
      await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name) });
      const list = await waitFor(async () => {
        const r = await tasks(arnOf(dlq.name));
        return r[0]?.Status === 'COMPLETED' && r;
      });
      assert.deepEqual(list.map((x) => x.Status), ['COMPLETED', 'CANCELLED']);
      assert.equal((await tasks(arnOf(dlq.name), 1)).length, 1, 'MaxResults');
      assert.equal(await counts(src.url), 12);
    });

    test('one running task per source; source must be a DLQ; handle and parameter errors', async (t) => {
      const { dlq, src } = await pair(t, { max: 1 });
      await fillDlq(src, dlq, 3);
      const { TaskHandle } = await c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name), MaxNumberOfMessagesPerSecond: 1 });
      t.after(() => c().call('CancelMessageMoveTask', { TaskHandle }).catch(() => {}));
      await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq.name) }),
        { code: 'InvalidParameterValue' }, 'second task on the same source');
      await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: arnOf(src.name) }),
        { code: 'InvalidParameterValue' }, 'source is not a DLQ');
      await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: arnOf(uniqueName('nope')) }),
        { code: 'ResourceNotFoundException', status: 404 }, 'source does not exist');
      await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: 'not-an-arn' }),
        { code: ['InvalidParameterValue', 'ResourceNotFoundException'] }, 'source not an ARN');
      const dlq2 = await pair(t, { max: 1 });
      for (const rate of [0, 501]) {
        await expectSqsError(c().call('StartMessageMoveTask', { SourceArn: arnOf(dlq2.dlq.name), MaxNumberOfMessagesPerSecond: rate }),
          { code: 'InvalidParameterValue' }, `rate ${rate}`);
      }
      await expectSqsError(c().call('CancelMessageMoveTask', { TaskHandle: 'garbage' }),
        { code: 'InvalidParameterValue', status: 400 }, 'garbage handle');
      await expectSqsError(c().call('ListMessageMoveTasks', { SourceArn: arnOf(uniqueName('nope')) }),
        { code: 'ResourceNotFoundException', status: 404 }, 'ListMessageMoveTasks of a missing queue');
      for (const n of [0, 11]) {
        await expectSqsError(c().call('ListMessageMoveTasks', { SourceArn: arnOf(dlq.name), MaxResults: n }),
          { code: 'InvalidParameterValue' }, `MaxResults ${n}`);
      }
      assert.deepEqual(await tasks(arnOf(dlq2.dlq.name)), [], 'no task yet');
    });
  });
}

// ---------------------------------------------------------------------------------------------

const haveCli = fs.existsSync(QUERY_CLI);
describe('dead-letter queues via the query protocol (/usr/bin/aws CLI v2.9 and raw query)', haveCli ? {} : { skip: `${QUERY_CLI} not installed` }, () => {
  const aws = (...args) => awsCli(ctx.endpoint, args);

  test('redrive policy, move to the DLQ, list sources, move task back, list tasks, errors',
    deviation('writes ListMessageMoveTasks entries as <Result>, not <ListMessageMoveTasksResultEntry>'), async (t) => {
    const dlqName = uniqueName('clidlq');
    const dlq = cliOk(await aws('create-queue', '--queue-name', dlqName)).QueueUrl;
    t.after(() => aws('delete-queue', '--queue-url', dlq));
    const srcName = uniqueName('clisrc');
    const src = cliOk(await aws('create-queue', '--queue-name', srcName)).QueueUrl;
    t.after(() => aws('delete-queue', '--queue-url', src));
    cliErr(await aws('set-queue-attributes', '--queue-url', src, '--attributes',
      JSON.stringify({ RedrivePolicy: redrive(uniqueName('nope'), 1) })), 'InvalidParameterValue');
    cliOk(await aws('set-queue-attributes', '--queue-url', src, '--attributes',
      JSON.stringify({ RedrivePolicy: redrive(dlqName, 1) })));
    const got = cliOk(await aws('get-queue-attributes', '--queue-url', src, '--attribute-names', 'RedrivePolicy')).Attributes;
    assert.deepEqual(JSON.parse(got.RedrivePolicy), { deadLetterTargetArn: arnOf(dlqName), maxReceiveCount: 1 });

    const sent = cliOk(await aws('send-message', '--queue-url', src, '--message-body', 'cli poison'));
    const r1 = cliOk(await aws('receive-message', '--queue-url', src, '--visibility-timeout', '0', '--wait-time-seconds', '1'));
    assert.equal(r1.Messages[0].MessageId, sent.MessageId);
    const r2 = cliOk(await aws('receive-message', '--queue-url', src, '--visibility-timeout', '0'));
    assert.equal((r2.Messages ?? []).length, 0, 'moved instead of returned');

    const sources = cliOk(await aws('list-dead-letter-source-queues', '--queue-url', dlq));
    assert.deepEqual(sources.queueUrls, [src]);

    const inDlq = cliOk(await aws('receive-message', '--queue-url', dlq, '--attribute-names', 'All',
      '--visibility-timeout', '0', '--wait-time-seconds', '1'));
    assert.equal(inDlq.Messages[0].MessageId, sent.MessageId);
    assert.equal(inDlq.Messages[0].Attributes.DeadLetterQueueSourceArn, arnOf(srcName));

    // CLI 2.9 predates the move-task commands (June 2023), so they go over the query protocol
    // as signed raw requests.
    const q = (params) => rawQuery(ctx.endpoint, params);
    let r = await q({ Action: 'StartMessageMoveTask', SourceArn: arnOf(srcName) });
    assert.equal(r.status, 400, r.text);
    assert.equal(xmlText(r.text, 'Code'), 'InvalidParameterValue');
    r = await q({ Action: 'CancelMessageMoveTask', TaskHandle: 'garbage' });
    assert.equal(r.status, 400, r.text);
    assert.equal(xmlText(r.text, 'Code'), 'InvalidParameterValue');
    r = await q({ Action: 'StartMessageMoveTask', SourceArn: arnOf(dlqName), MaxNumberOfMessagesPerSecond: '50' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<StartMessageMoveTaskResponse[\s>]/);
    assert.ok(xmlText(r.text, 'TaskHandle'), r.text);
    for (let i = 0; i < 20; i++) {
      r = await q({ Action: 'ListMessageMoveTasks', SourceArn: arnOf(dlqName), MaxResults: '10' });
      if (xmlText(r.text, 'Status') === 'COMPLETED') break;
      await sleep(200);
    }
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<ListMessageMoveTasksResultEntry>/);
    assert.equal(xmlText(r.text, 'Status'), 'COMPLETED');
    assert.equal(xmlText(r.text, 'ApproximateNumberOfMessagesMoved'), '1');
    assert.equal(xmlText(r.text, 'MaxNumberOfMessagesPerSecond'), '50');
    assert.equal(xmlText(r.text, 'SourceArn'), arnOf(dlqName));
    const back = cliOk(await aws('receive-message', '--queue-url', src, '--wait-time-seconds', '2'));
    assert.equal(back.Messages[0].Body, 'cli poison');
    assert.notEqual(back.Messages[0].MessageId, sent.MessageId, 'redriven as a new message');
    cliErr(await aws('set-queue-attributes', '--queue-url', src, '--attributes',
      JSON.stringify({ RedrivePolicy: redrive(dlqName, 0) })), 'InvalidParameterValue');
  });
});
