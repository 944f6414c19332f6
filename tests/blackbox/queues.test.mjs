// Queue management over the JSON protocol, through AWS SDK for JavaScript v3 and v2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, CLIENT_KINDS, createTestQueue, uniqueName, expectSqsError, queueAttrs, receiveN,
  deviation, ACCOUNT_ID, REGION, waitFor,
} from './helpers.mjs';

const ctx = useServer();

const FRESH_STANDARD_ATTRS = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'DelaySeconds',
  'LastModifiedTimestamp',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
];

for (const kind of CLIENT_KINDS) {
  describe(`queues via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);

    test('CreateQueue returns the queue URL on this endpoint', async (t) => {
      const name = uniqueName(`cq-${kind}`);
      const q = await createTestQueue(t, c(), { name });
      assert.equal(q.url, `${ctx.endpoint}/${ACCOUNT_ID}/${name}`);
    });

    test('CreateQueue is idempotent with the same attributes', async (t) => {
      const attrs = { VisibilityTimeout: '45', DelaySeconds: '3' };
      const q = await createTestQueue(t, c(), { attributes: attrs });
      const again = await c().call('CreateQueue', { QueueName: q.name, Attributes: attrs });
      assert.equal(again.QueueUrl, q.url);
    });

    // Spec §3.3 [D][R]: only the attributes present in the request are compared.
    test('CreateQueue with a subset of the attributes, or none, returns the existing queue',
      deviation('compares absent attributes against their defaults (QueueAlreadyExists for DelaySeconds)'),
      async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { VisibilityTimeout: '45', DelaySeconds: '3' } });
      const subset = await c().call('CreateQueue', {
        QueueName: q.name,
        Attributes: { VisibilityTimeout: '45' },
      });
      assert.equal(subset.QueueUrl, q.url);
      const bare = await c().call('CreateQueue', { QueueName: q.name });
      assert.equal(bare.QueueUrl, q.url);
    });

    test('CreateQueue with a different attribute value fails with QueueAlreadyExists', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { VisibilityTimeout: '45' } });
      await expectSqsError(
        c().call('CreateQueue', { QueueName: q.name, Attributes: { VisibilityTimeout: '46' } }),
        { code: 'QueueAlreadyExists', shape: 'QueueNameExists', status: 400 },
      );
      // Compared against the current value, after SetQueueAttributes (spec §3.3).
      await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { VisibilityTimeout: '50' } });
      const ok = await c().call('CreateQueue', {
        QueueName: q.name,
        Attributes: { VisibilityTimeout: '50' },
      });
      assert.equal(ok.QueueUrl, q.url);
      await expectSqsError(
        c().call('CreateQueue', { QueueName: q.name, Attributes: { VisibilityTimeout: '45' } }),
        { code: 'QueueAlreadyExists' },
      );
    });

    test('CreateQueue rejects invalid names with InvalidParameterValue', async () => {
      for (const bad of ['bad/name', 'has space', 'x'.repeat(81), 'dotted.name']) {
        await expectSqsError(c().call('CreateQueue', { QueueName: bad }), {
          code: 'InvalidParameterValue',
          status: 400,
        }, `name ${JSON.stringify(bad)}:`);
      }
    });

    test('CreateQueue accepts an 80-character name', async (t) => {
      const name = `n80-${kind}-${'x'.repeat(80)}`.slice(0, 80);
      const q = await createTestQueue(t, c(), { name });
      assert.ok(q.url.endsWith(`/${name}`));
    });

    test('CreateQueue with an out-of-range attribute fails with InvalidAttributeValue',
      deviation('answers InvalidParameterValue'), async () => {
      await expectSqsError(
        c().call('CreateQueue', { QueueName: uniqueName(), Attributes: { DelaySeconds: '901' } }),
        { code: 'InvalidAttributeValue', status: 400 },
      );
    });

    test('GetQueueUrl finds a queue; a missing one is NonExistentQueue', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await c().call('GetQueueUrl', { QueueName: q.name });
      assert.equal(r.QueueUrl, q.url);
      await expectSqsError(c().call('GetQueueUrl', { QueueName: uniqueName('missing') }), {
        code: 'AWS.SimpleQueueService.NonExistentQueue',
        shape: 'QueueDoesNotExist',
        status: 400,
      });
    });

    test('ListQueues filters by prefix and paginates with MaxResults/NextToken', async (t) => {
      const prefix = uniqueName(`lq-${kind}`);
      const urls = [];
      for (const s of ['a', 'b', 'c']) urls.push((await createTestQueue(t, c(), { name: `${prefix}-${s}` })).url);
      const other = await createTestQueue(t, c(), { name: uniqueName('other') });

      const all = await c().call('ListQueues', { QueueNamePrefix: prefix });
      assert.deepEqual([...(all.QueueUrls ?? [])].sort(), [...urls].sort());
      assert.equal(all.NextToken, undefined, 'no NextToken without MaxResults');

      const everything = await c().call('ListQueues', {});
      assert.ok(everything.QueueUrls.includes(other.url));
      for (const u of urls) assert.ok(everything.QueueUrls.includes(u));

      const page1 = await c().call('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2 });
      assert.equal(page1.QueueUrls.length, 2);
      assert.ok(page1.NextToken, 'NextToken when more remain');
      const page2 = await c().call('ListQueues', {
        QueueNamePrefix: prefix,
        MaxResults: 2,
        NextToken: page1.NextToken,
      });
      assert.equal(page2.QueueUrls.length, 1);
      assert.equal(page2.NextToken, undefined, 'no NextToken on the last page');
      assert.deepEqual([...page1.QueueUrls, ...page2.QueueUrls].sort(), [...urls].sort());

      const exact = await c().call('ListQueues', { QueueNamePrefix: prefix, MaxResults: 3 });
      assert.equal(exact.QueueUrls.length, 3);
      assert.equal(exact.NextToken, undefined, 'no NextToken when nothing remains');

      const none = await c().call('ListQueues', { QueueNamePrefix: uniqueName('nothing-here') });
      assert.equal((none.QueueUrls ?? []).length, 0);
    });

    test('ListQueues prefix is case-sensitive', async (t) => {
      const name = uniqueName(`CaseQ-${kind}`);
      await createTestQueue(t, c(), { name });
      const lower = await c().call('ListQueues', { QueueNamePrefix: name.toLowerCase() });
      assert.equal((lower.QueueUrls ?? []).length, 0);
    });

    test('GetQueueAttributes All on a fresh queue returns the standard set and defaults', async (t) => {
      const before = Math.floor(Date.now() / 1000);
      const q = await createTestQueue(t, c());
      const a = await queueAttrs(c(), q.url, ['All']);
      assert.deepEqual(Object.keys(a).sort(), FRESH_STANDARD_ATTRS);
      assert.equal(a.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${q.name}`);
      assert.equal(a.VisibilityTimeout, '30');
      assert.equal(a.DelaySeconds, '0');
      assert.equal(a.MessageRetentionPeriod, '345600');
      assert.equal(a.ReceiveMessageWaitTimeSeconds, '0');
      assert.equal(a.ApproximateNumberOfMessages, '0');
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
      assert.equal(a.ApproximateNumberOfMessagesDelayed, '0');
      assert.equal(a.SqsManagedSseEnabled, 'true');
      // Timestamps are epoch seconds, not milliseconds.
      const created = Number(a.CreatedTimestamp);
      assert.ok(created >= before - 5 && created <= before + 60, `CreatedTimestamp ${a.CreatedTimestamp}`);
      assert.ok(Number(a.LastModifiedTimestamp) >= created);
    });

    test('GetQueueAttributes default MaximumMessageSize is 1 MiB', async (t) => {
      const q = await createTestQueue(t, c());
      const a = await queueAttrs(c(), q.url, ['MaximumMessageSize']);
      assert.equal(a.MaximumMessageSize, '1048576');
    });

    test('GetQueueAttributes returns only the names asked for', async (t) => {
      const q = await createTestQueue(t, c());
      assert.deepEqual(Object.keys(await queueAttrs(c(), q.url, ['VisibilityTimeout'])), ['VisibilityTimeout']);
      assert.deepEqual(
        Object.keys(await queueAttrs(c(), q.url, ['QueueArn', 'DelaySeconds'])).sort(),
        ['DelaySeconds', 'QueueArn'],
      );
      await expectSqsError(queueAttrs(c(), q.url, ['Foobar']), { code: 'InvalidAttributeName', status: 400 });
    });

    test('GetQueueAttributes approximate counts follow sends, receives and deletes',
      deviation('counts in-flight messages in ApproximateNumberOfMessages too'), async (t) => {
      const q = await createTestQueue(t, c());
      for (let i = 0; i < 3; i++) await c().call('SendMessage', { QueueUrl: q.url, MessageBody: `m${i}` });
      let a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessages, '3');
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');

      const got = await receiveN(c(), q.url, 2, { extra: { MaxNumberOfMessages: 2 } });
      assert.equal(got.length, 2);
      a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessages, '1');
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '2');

      await c().call('SendMessage', { QueueUrl: q.url, MessageBody: 'later', DelaySeconds: 60 });
      a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessagesDelayed, '1');
      assert.equal(a.ApproximateNumberOfMessages, '1');

      await c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: got[0].ReceiptHandle });
      a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '1');
    });

    test('SetQueueAttributes changes are read back', async (t) => {
      const q = await createTestQueue(t, c());
      const want = {
        VisibilityTimeout: '60',
        DelaySeconds: '5',
        MessageRetentionPeriod: '3600',
        MaximumMessageSize: '2048',
        ReceiveMessageWaitTimeSeconds: '2',
      };
      const r = await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: want });
      assert.equal(r.$httpStatus, 200);
      const a = await queueAttrs(c(), q.url);
      for (const [k, v] of Object.entries(want)) assert.equal(a[k], v, k);
      // Bounds are inclusive.
      const edges = {
        VisibilityTimeout: '43200',
        DelaySeconds: '900',
        MessageRetentionPeriod: '1209600',
        MaximumMessageSize: '1024',
        ReceiveMessageWaitTimeSeconds: '20',
      };
      await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: edges });
      const b = await queueAttrs(c(), q.url);
      for (const [k, v] of Object.entries(edges)) assert.equal(b[k], v, k);
      const low = {
        VisibilityTimeout: '0',
        DelaySeconds: '0',
        MessageRetentionPeriod: '60',
        MaximumMessageSize: '1048576',
        ReceiveMessageWaitTimeSeconds: '0',
      };
      await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: low });
      const d = await queueAttrs(c(), q.url);
      for (const [k, v] of Object.entries(low)) assert.equal(d[k], v, k);
    });

    test('SetQueueAttributes out of range is InvalidAttributeValue and changes nothing',
      deviation('answers InvalidParameterValue'), async (t) => {
      const q = await createTestQueue(t, c());
      const bad = [
        ['VisibilityTimeout', '43201'],
        ['VisibilityTimeout', '-1'],
        ['VisibilityTimeout', 'abc'],
        ['DelaySeconds', '901'],
        ['MessageRetentionPeriod', '59'],
        ['MessageRetentionPeriod', '1209601'],
        ['MaximumMessageSize', '1023'],
        ['MaximumMessageSize', '1048577'],
        ['ReceiveMessageWaitTimeSeconds', '21'],
      ];
      for (const [k, v] of bad) {
        await expectSqsError(
          c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { [k]: v } }),
          { code: 'InvalidAttributeValue', status: 400 },
          `${k}=${v}:`,
        );
      }
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.VisibilityTimeout, '30');
      assert.equal(a.DelaySeconds, '0');
    });

    test('SetQueueAttributes with an unknown or read-only name is InvalidAttributeName', async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(
        c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { Foobar: '1' } }),
        { code: 'InvalidAttributeName', status: 400 },
      );
      // FifoQueue on a standard queue is "Unknown Attribute FifoQueue." (spec §3.1).
      await expectSqsError(
        c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { ContentBasedDeduplication: 'true' } }),
        { code: 'InvalidAttributeName', status: 400 },
      );
    });

    test('TagQueue, ListQueueTags and UntagQueue', async (t) => {
      const q = await createTestQueue(t, c(), { tags: { team: 'shop', env: 'test' } });
      let r = await c().call('ListQueueTags', { QueueUrl: q.url });
      assert.deepEqual(r.Tags, { team: 'shop', env: 'test' });

      await c().call('TagQueue', { QueueUrl: q.url, Tags: { env: 'prod', owner: 'me' } });
      r = await c().call('ListQueueTags', { QueueUrl: q.url });
      assert.deepEqual(r.Tags, { team: 'shop', env: 'prod', owner: 'me' });

      await c().call('UntagQueue', { QueueUrl: q.url, TagKeys: ['team', 'not-there'] });
      r = await c().call('ListQueueTags', { QueueUrl: q.url });
      assert.deepEqual(r.Tags, { env: 'prod', owner: 'me' });

      await c().call('UntagQueue', { QueueUrl: q.url, TagKeys: ['env', 'owner'] });
      r = await c().call('ListQueueTags', { QueueUrl: q.url });
      assert.deepEqual(r.Tags ?? {}, {});
    });

    // AWS may take up to 60 s to purge; a local broker is expected to do it at once.
    test('PurgeQueue removes every message, in flight or not',
      deviation('emulates the 60 s purge delay: counts stay until then'), async (t) => {
      const q = await createTestQueue(t, c());
      for (let i = 0; i < 4; i++) await c().call('SendMessage', { QueueUrl: q.url, MessageBody: `p${i}` });
      const inflight = await receiveN(c(), q.url, 1);
      assert.equal(inflight.length, 1);
      await c().call('PurgeQueue', { QueueUrl: q.url });
      const a = await waitFor(async () => {
        const x = await queueAttrs(c(), q.url);
        return x.ApproximateNumberOfMessages === '0' && x.ApproximateNumberOfMessagesNotVisible === '0' ? x : null;
      });
      assert.ok(a, 'counts drop to 0 after purge');
      const r = await c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 0 });
      // (v2 turns an absent list into []; the wire form is checked in raw-http.test.mjs.)
      assert.equal((r.Messages ?? []).length, 0);
    });

    // AWS may take up to 60 s to drop a deleted queue from ListQueues; a local broker is
    // expected to do it at once.
    test('DeleteQueue makes the queue NonExistentQueue',
      deviation('keeps listing a deleted queue in ListQueues for 60 s'), async (t) => {
      const q = await createTestQueue(t, c());
      await c().call('DeleteQueue', { QueueUrl: q.url });
      const missing = { code: 'AWS.SimpleQueueService.NonExistentQueue', shape: 'QueueDoesNotExist', status: 400 };
      await expectSqsError(c().call('GetQueueUrl', { QueueName: q.name }), missing);
      await expectSqsError(c().call('SendMessage', { QueueUrl: q.url, MessageBody: 'x' }), missing);
      await expectSqsError(queueAttrs(c(), q.url), missing);
      await expectSqsError(c().call('DeleteQueue', { QueueUrl: q.url }), missing);
      const list = await c().call('ListQueues', { QueueNamePrefix: q.name });
      assert.equal((list.QueueUrls ?? []).length, 0);
    });

    test('actions on a queue that never existed are NonExistentQueue', async () => {
      const url = ctx.queueUrl(uniqueName('ghost'));
      const missing = { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 };
      await expectSqsError(c().call('ReceiveMessage', { QueueUrl: url }), missing);
      await expectSqsError(c().call('PurgeQueue', { QueueUrl: url }), missing);
      await expectSqsError(c().call('ListQueueTags', { QueueUrl: url }), missing);
      await expectSqsError(
        c().call('SetQueueAttributes', { QueueUrl: url, Attributes: { DelaySeconds: '1' } }),
        missing,
      );
    });
  });
}
