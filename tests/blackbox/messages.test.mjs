// Message actions over the JSON protocol, through AWS SDK for JavaScript v3 and v2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, CLIENT_KINDS, createTestQueue, expectSqsError, queueAttrs, receiveN, sleep, md5,
  md5OfMessageAttributes, normalizeAttrs, deviation, waitFor,
} from './helpers.mjs';

const ctx = useServer();

const SPEC_ATTRS = {
  City: { DataType: 'String', StringValue: 'Any City' },
  Population: { DataType: 'Number', StringValue: '1250800' },
  Blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
};

// SDKs may surface an empty result as an absent member or an empty list; the wire form ({})
// is checked in raw-http.test.mjs.
const noMessages = (r) => (r.Messages ?? []).length === 0;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const kind of CLIENT_KINDS) {
  describe(`messages via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);
    const send = (url, body, extra = {}) => c().call('SendMessage', { QueueUrl: url, MessageBody: body, ...extra });
    const receive = (url, extra = {}) => c().call('ReceiveMessage', { QueueUrl: url, ...extra });

    test('SendMessage returns MessageId and MD5OfMessageBody; no attribute MD5 without attributes', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await send(q.url, 'hello');
      assert.match(r.MessageId, UUID_RE);
      assert.equal(r.MD5OfMessageBody, '5d41402abc4b2a76b9719d911017c592');
      assert.equal(r.MD5OfMessageAttributes, undefined);
      assert.equal(r.SequenceNumber, undefined, 'SequenceNumber is FIFO-only');
    });

    test('a Unicode body with tab, CR and LF round-trips byte for byte', async (t) => {
      const q = await createTestQueue(t, c());
      const body = 'héllo\t✓ 😀\r\nline2\r"quoted" <tag> & amp \uE000 \u{10FFFF}';
      const r = await send(q.url, body);
      assert.equal(r.MD5OfMessageBody, md5(Buffer.from(body, 'utf8')));
      const [m] = await receiveN(c(), q.url, 1);
      assert.equal(m.Body, body);
      assert.equal(m.MD5OfBody, md5(Buffer.from(body, 'utf8')));
      assert.equal(m.MessageId, r.MessageId);
    });

    test('SendMessage with String, Number and Binary attributes: MD5OfMessageAttributes (§5.2)', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await send(q.url, 'with attrs', { MessageAttributes: SPEC_ATTRS });
      assert.equal(r.MD5OfMessageAttributes, md5OfMessageAttributes(SPEC_ATTRS));
      assert.equal(r.MD5OfMessageAttributes, '69d43f899c5f825653b41c617787137a');
      assert.equal(r.MD5OfMessageBody, md5('with attrs'));

      const [m] = await receiveN(c(), q.url, 1, { extra: { MessageAttributeNames: ['All'] } });
      assert.ok(m, 'message received');
      assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(SPEC_ATTRS));
      assert.equal(m.MD5OfMessageAttributes, '69d43f899c5f825653b41c617787137a');
      assert.equal(m.MD5OfBody, md5('with attrs'));
    });

    test('custom attribute types keep their MD5 and sort by byte order', async (t) => {
      const q = await createTestQueue(t, c());
      const attrs = {
        price: { DataType: 'Number.float', StringValue: '3.14' },
        note: { DataType: 'String.x', StringValue: 'plain' },
        img: { DataType: 'Binary.png', BinaryValue: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]) },
        Upper: { DataType: 'String', StringValue: 'sorted before lowercase' },
      };
      const r = await send(q.url, 'custom', { MessageAttributes: attrs });
      assert.equal(r.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
      const [m] = await receiveN(c(), q.url, 1, { extra: { MessageAttributeNames: ['All'] } });
      assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(attrs));
      assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
    });

    // Spec §5.2: lengths are UTF-8 byte counts.
    test('non-ASCII attribute values: MD5 uses UTF-8 byte lengths',
      deviation('uses the UTF-16 length of StringValue in the digest'), async (t) => {
      const q = await createTestQueue(t, c());
      const attrs = { note: { DataType: 'String', StringValue: 'ünïcødé ✓ 😀' } };
      const r = await send(q.url, 'unicode attrs', { MessageAttributes: attrs });
      assert.equal(r.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
      const [m] = await receiveN(c(), q.url, 1, { extra: { MessageAttributeNames: ['All'] } });
      assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(attrs));
      assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
    });

    test('ReceiveMessage MessageAttributeNames: exact names, prefix.*, .* and none', async (t) => {
      const q = await createTestQueue(t, c());
      const attrs = {
        'foo.a': { DataType: 'String', StringValue: '1' },
        'foo.b': { DataType: 'Number', StringValue: '2' },
        bar: { DataType: 'String', StringValue: '3' },
        ...SPEC_ATTRS,
      };
      await send(q.url, 'filter me', { MessageAttributes: attrs });
      const pick = (...names) => Object.fromEntries(names.map((n) => [n, attrs[n]]));
      const cases = [
        [['City', 'Population'], pick('City', 'Population')],
        [['foo.*'], pick('foo.a', 'foo.b')],
        [['.*'], attrs],
        [['All'], attrs],
        [['bar', 'nope'], pick('bar')],
      ];
      for (const [names, want] of cases) {
        const [m] = await receiveN(c(), q.url, 1, { extra: { MessageAttributeNames: names, VisibilityTimeout: 0 } });
        assert.ok(m, `received for ${names}`);
        assert.deepEqual(normalizeAttrs(m.MessageAttributes), normalizeAttrs(want), `names ${names}`);
        // The digest covers the returned subset only (spec §4.4).
        assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(want), `MD5 for ${names}`);
      }
      const [m] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 0 } });
      assert.equal(m.MessageAttributes, undefined, 'no MessageAttributes when none are asked for');
      assert.equal(m.MD5OfMessageAttributes, undefined, 'no MD5OfMessageAttributes when none are asked for');
      const [m2] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 0, MessageAttributeNames: ['nope'] } });
      assert.equal(m2.MessageAttributes, undefined, 'no MessageAttributes when none match');
      assert.equal(m2.MD5OfMessageAttributes, undefined, 'no MD5OfMessageAttributes when none match');
    });

    test('ReceiveMessage system attributes: All, a single name, and none', async (t) => {
      const q = await createTestQueue(t, c());
      const before = Date.now();
      await send(q.url, 'sys');
      const [m] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['All'], VisibilityTimeout: 0 } });
      assert.deepEqual(Object.keys(m.Attributes).sort(), [
        'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp',
      ]);
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      const sent = Number(m.Attributes.SentTimestamp);
      assert.ok(sent >= before - 2000 && sent <= Date.now() + 2000, `SentTimestamp in ms: ${sent}`);
      const first = Number(m.Attributes.ApproximateFirstReceiveTimestamp);
      assert.ok(first >= sent - 1000 && first <= Date.now() + 2000, `ApproximateFirstReceiveTimestamp ${first}`);
      assert.ok(m.Attributes.SenderId.length > 0);

      const [m2] = await receiveN(c(), q.url, 1, {
        extra: { AttributeNames: ['SentTimestamp'], VisibilityTimeout: 0 },
      });
      assert.deepEqual(Object.keys(m2.Attributes), ['SentTimestamp']);
      assert.equal(m2.Attributes.SentTimestamp, m.Attributes.SentTimestamp);

      const [m3] = await receiveN(c(), q.url, 1, {
        extra: { AttributeNames: ['ApproximateReceiveCount', 'SequenceNumber'], VisibilityTimeout: 0 },
      });
      // SequenceNumber does not apply to a standard queue and is skipped (spec §4.4).
      assert.deepEqual(m3.Attributes, { ApproximateReceiveCount: '3' });

      const [m4] = await receiveN(c(), q.url, 1);
      assert.equal(m4.Attributes, undefined, 'no Attributes when none are asked for');
    });

    // Spec §2 ReceiveMessage [R]: MessageSystemAttributeNames is the current member; the
    // server uses the union with the deprecated AttributeNames.
    test('ReceiveMessage MessageSystemAttributeNames, alone and with AttributeNames',
      deviation('ignores MessageSystemAttributeNames'), async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'sys2');
      const [m1] = await receiveN(c(), q.url, 1, {
        extra: { MessageSystemAttributeNames: ['SentTimestamp'], VisibilityTimeout: 0 },
      });
      assert.deepEqual(Object.keys(m1.Attributes ?? {}), ['SentTimestamp']);
      const [m2] = await receiveN(c(), q.url, 1, {
        extra: {
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          AttributeNames: ['SenderId'],
          VisibilityTimeout: 0,
        },
      });
      assert.deepEqual(Object.keys(m2.Attributes ?? {}).sort(), ['ApproximateReceiveCount', 'SenderId']);
      const [m3] = await receiveN(c(), q.url, 1, { extra: { MessageSystemAttributeNames: ['All'] } });
      assert.deepEqual(Object.keys(m3.Attributes ?? {}).sort(), [
        'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp',
      ]);
    });

    test('ReceiveMessage honours MaxNumberOfMessages', async (t) => {
      const q = await createTestQueue(t, c());
      const sent = new Set();
      for (let i = 0; i < 5; i++) sent.add((await send(q.url, `n${i}`)).MessageId);
      const r = await receive(q.url, { MaxNumberOfMessages: 2, WaitTimeSeconds: 1 });
      assert.ok(r.Messages.length >= 1 && r.Messages.length <= 2, `got ${r.Messages.length}`);
      const rest = await receiveN(c(), q.url, 5 - r.Messages.length);
      const ids = [...r.Messages, ...rest].map((m) => m.MessageId);
      assert.equal(new Set(ids).size, 5, 'five distinct messages');
      assert.deepEqual(new Set(ids), sent);
      const empty = await receive(q.url, { MaxNumberOfMessages: 10 });
      assert.ok(noMessages(empty), 'nothing left');
    });

    test('ReceiveMessage returns up to 10 at once when they are there', async (t) => {
      const q = await createTestQueue(t, c());
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `b${i}` }));
      await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries });
      const got = await receiveN(c(), q.url, 10);
      assert.equal(got.length, 10);
      const bodies = got.map((m) => m.Body).sort();
      assert.deepEqual(bodies, entries.map((e) => e.MessageBody).sort());
    });

    test('VisibilityTimeout hides a message; it reappears with ApproximateReceiveCount 2', async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'peekaboo');
      const [m1] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 2, AttributeNames: ['All'] } });
      assert.equal(m1.Attributes.ApproximateReceiveCount, '1');
      const hidden = await receive(q.url, { AttributeNames: ['All'] });
      assert.ok(noMessages(hidden), 'invisible while in flight');
      let a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '1');
      await sleep(2300);
      const [m2] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['All'] }, timeoutMs: 4000 });
      assert.ok(m2, 'visible again after the timeout');
      assert.equal(m2.MessageId, m1.MessageId);
      assert.equal(m2.Attributes.ApproximateReceiveCount, '2');
      assert.equal(m2.Attributes.ApproximateFirstReceiveTimestamp, m1.Attributes.ApproximateFirstReceiveTimestamp);
      assert.equal(m2.Attributes.SentTimestamp, m1.Attributes.SentTimestamp);
      assert.notEqual(m2.ReceiptHandle, m1.ReceiptHandle, 'a new receipt handle per receive');
    });

    test('the queue VisibilityTimeout applies when the receive gives none', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { VisibilityTimeout: '1' } });
      await send(q.url, 'short');
      const [m1] = await receiveN(c(), q.url, 1);
      assert.ok(m1);
      assert.ok(noMessages(await receive(q.url)));
      await sleep(1300);
      const [m2] = await receiveN(c(), q.url, 1, { timeoutMs: 4000 });
      assert.equal(m2?.MessageId, m1.MessageId);
    });

    test('DeleteMessage deletes; deleting again succeeds; a garbage handle is ReceiptHandleIsInvalid', async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'bye');
      const [m] = await receiveN(c(), q.url, 1);
      const r = await c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle });
      assert.equal(r.$httpStatus, 200);
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessages, '0');
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
      // Spec §4.2: deleting an already-deleted message again succeeds silently.
      await c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle });
      await expectSqsError(c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: 'garbage' }), {
        code: 'ReceiptHandleIsInvalid',
        shape: 'ReceiptHandleIsInvalid',
      });
    });

    test('DeleteMessage with the latest handle works after the visibility timeout expired', async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'late delete');
      const [m] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 1 } });
      await sleep(1300);
      await c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle });
      const r = await receive(q.url, { WaitTimeSeconds: 1 });
      assert.ok(noMessages(r), 'the message is gone');
    });

    test('SendMessageBatch: successes and a per-entry failure with status 200',
      deviation('accepts bodies with invalid characters'), async (t) => {
      const q = await createTestQueue(t, c());
      const r = await c().call('SendMessageBatch', {
        QueueUrl: q.url,
        Entries: [
          { Id: 'ok1', MessageBody: 'first' },
          { Id: 'bad', MessageBody: 'nul \u0000 inside' },
          { Id: 'ok2', MessageBody: 'second', MessageAttributes: { City: SPEC_ATTRS.City }, DelaySeconds: 0 },
        ],
      });
      assert.equal(r.$httpStatus, 200);
      assert.equal(r.Successful.length, 2);
      const byId = Object.fromEntries(r.Successful.map((e) => [e.Id, e]));
      assert.equal(byId.ok1.MD5OfMessageBody, md5('first'));
      assert.equal(byId.ok2.MD5OfMessageBody, md5('second'));
      assert.match(byId.ok1.MessageId, UUID_RE);
      assert.notEqual(byId.ok1.MessageId, byId.ok2.MessageId);
      assert.equal(byId.ok1.MD5OfMessageAttributes, undefined);
      assert.equal(byId.ok2.MD5OfMessageAttributes, '0c32cb5c844c01fbd5b6b434b52cf670');
      assert.equal(r.Failed.length, 1);
      assert.equal(r.Failed[0].Id, 'bad');
      assert.equal(r.Failed[0].SenderFault, true);
      assert.equal(r.Failed[0].Code, 'InvalidMessageContents');
      const got = await receiveN(c(), q.url, 2);
      assert.deepEqual(got.map((m) => m.Body).sort(), ['first', 'second']);
    });

    test('SendMessageBatch: an oversized entry fails alone with InvalidParameterValue', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { MaximumMessageSize: '1024' } });
      const r = await c().call('SendMessageBatch', {
        QueueUrl: q.url,
        Entries: [
          { Id: 'big', MessageBody: 'x'.repeat(1025) },
          { Id: 'fits', MessageBody: 'y'.repeat(1024) },
        ],
      });
      assert.equal(r.$httpStatus, 200);
      assert.deepEqual(r.Successful.map((e) => e.Id), ['fits']);
      assert.equal(r.Failed.length, 1);
      assert.equal(r.Failed[0].Id, 'big');
      assert.equal(r.Failed[0].SenderFault, true);
      assert.equal(r.Failed[0].Code, 'InvalidParameterValue');
    });

    test('SendMessageBatch with no failures omits Failed', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await c().call('SendMessageBatch', {
        QueueUrl: q.url,
        Entries: [{ Id: 'a', MessageBody: 'a' }],
      });
      assert.equal(r.Successful.length, 1);
      assert.ok(r.Failed === undefined || r.Failed.length === 0);
    });

    test('SendMessageBatch whole-request errors: too many, duplicate ids, empty, bad id', async (t) => {
      const q = await createTestQueue(t, c());
      const entries = (n) => Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}` }));
      await expectSqsError(c().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries(11) }), {
        code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        shape: 'TooManyEntriesInBatchRequest',
        status: 400,
      });
      await expectSqsError(
        c().call('SendMessageBatch', {
          QueueUrl: q.url,
          Entries: [{ Id: 'same', MessageBody: '1' }, { Id: 'same', MessageBody: '2' }],
        }),
        { code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', shape: 'BatchEntryIdsNotDistinct', status: 400 },
      );
      await expectSqsError(c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [] }), {
        code: 'AWS.SimpleQueueService.EmptyBatchRequest',
        shape: 'EmptyBatchRequest',
        status: 400,
      });
      await expectSqsError(
        c().call('SendMessageBatch', { QueueUrl: q.url, Entries: [{ Id: 'no spaces!', MessageBody: '1' }] }),
        { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', shape: 'InvalidBatchEntryId', status: 400 },
      );
      // Nothing was enqueued by any of the rejected requests.
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessages, '0');
    });

    test('DeleteMessageBatch deletes several and reports a bad handle in Failed', async (t) => {
      const q = await createTestQueue(t, c());
      for (let i = 0; i < 3; i++) await send(q.url, `d${i}`);
      const got = await receiveN(c(), q.url, 3);
      assert.equal(got.length, 3);
      const r = await c().call('DeleteMessageBatch', {
        QueueUrl: q.url,
        Entries: [
          ...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'junk', ReceiptHandle: 'garbage' },
        ],
      });
      assert.equal(r.$httpStatus, 200);
      assert.deepEqual(r.Successful.map((e) => e.Id).sort(), ['d0', 'd1', 'd2']);
      assert.equal(r.Failed.length, 1);
      assert.equal(r.Failed[0].Id, 'junk');
      assert.equal(r.Failed[0].SenderFault, true);
      // Per-entry code believed to be ReceiptHandleIsInvalid (spec §1.7.5, unconfirmed).
      assert.ok(['ReceiptHandleIsInvalid', 'InvalidParameterValue'].includes(r.Failed[0].Code), r.Failed[0].Code);
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
      assert.equal(a.ApproximateNumberOfMessages, '0');
    });

    test('DeleteMessageBatch and ChangeMessageVisibilityBatch whole-request errors', async (t) => {
      const q = await createTestQueue(t, c());
      for (const op of ['DeleteMessageBatch', 'ChangeMessageVisibilityBatch']) {
        const entry = (id) => ({ Id: id, ReceiptHandle: 'x', ...(op === 'ChangeMessageVisibilityBatch' ? { VisibilityTimeout: 0 } : {}) });
        await expectSqsError(c().call(op, { QueueUrl: q.url, Entries: [] }), {
          code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400,
        }, `${op} empty:`);
        await expectSqsError(
          c().call(op, { QueueUrl: q.url, Entries: Array.from({ length: 11 }, (_, i) => entry(`e${i}`)) }),
          { code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
          `${op} 11:`,
        );
        await expectSqsError(c().call(op, { QueueUrl: q.url, Entries: [entry('dup'), entry('dup')] }), {
          code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400,
        }, `${op} dup:`);
      }
    });

    test('ChangeMessageVisibility 0 makes a message visible at once',
      deviation('counts ChangeMessageVisibility as a receive in ApproximateReceiveCount'), async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'again');
      const [m1] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 60 } });
      assert.ok(noMessages(await receive(q.url)));
      await c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: m1.ReceiptHandle, VisibilityTimeout: 0 });
      const [m2] = await receiveN(c(), q.url, 1, { extra: { AttributeNames: ['ApproximateReceiveCount'] }, timeoutMs: 2000 });
      assert.equal(m2?.MessageId, m1.MessageId);
      assert.equal(m2.Attributes.ApproximateReceiveCount, '2');
    });

    test('ChangeMessageVisibility extends the timeout of an in-flight message', async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'hold');
      const [m] = await receiveN(c(), q.url, 1, { extra: { VisibilityTimeout: 1 } });
      await c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 30 });
      await sleep(1500);
      assert.ok(noMessages(await receive(q.url)), 'still hidden after the original timeout');
    });

    test('ChangeMessageVisibility errors: garbage handle, deleted message, over 12 h',
      deviation('answers ReceiptHandleIsInvalid (404) for the handle of a deleted message'), async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'x');
      const [m] = await receiveN(c(), q.url, 1);
      await expectSqsError(
        c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43201 }),
        { code: 'InvalidParameterValue', status: 400 },
      );
      await expectSqsError(
        c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: 'garbage', VisibilityTimeout: 0 }),
        { code: 'ReceiptHandleIsInvalid' },
      );
      await c().call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle });
      // Spec §4.3 [R]: the handle of a deleted message is InvalidParameterValue.
      await expectSqsError(
        c().call('ChangeMessageVisibility', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }),
        { code: 'InvalidParameterValue', status: 400 },
      );
    });

    test('ChangeMessageVisibilityBatch changes several and reports a bad handle', async (t) => {
      const q = await createTestQueue(t, c());
      await send(q.url, 'v1');
      await send(q.url, 'v2');
      const got = await receiveN(c(), q.url, 2, { extra: { VisibilityTimeout: 60 } });
      assert.equal(got.length, 2);
      const r = await c().call('ChangeMessageVisibilityBatch', {
        QueueUrl: q.url,
        Entries: [
          ...got.map((m, i) => ({ Id: `c${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
          { Id: 'junk', ReceiptHandle: 'garbage', VisibilityTimeout: 0 },
        ],
      });
      assert.equal(r.$httpStatus, 200);
      assert.deepEqual(r.Successful.map((e) => e.Id).sort(), ['c0', 'c1']);
      assert.equal(r.Failed.length, 1);
      assert.equal(r.Failed[0].Id, 'junk');
      assert.equal(r.Failed[0].SenderFault, true);
      const again = await receiveN(c(), q.url, 2, { timeoutMs: 3000 });
      assert.deepEqual(again.map((m) => m.Body).sort(), ['v1', 'v2']);
    });

    test('queue DelaySeconds delays delivery; a per-message 0 overrides it', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { DelaySeconds: '2' } });
      const t0 = Date.now();
      await send(q.url, 'delayed');
      assert.ok(noMessages(await receive(q.url)), 'not yet');
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessagesDelayed, '1');
      assert.equal(a.ApproximateNumberOfMessages, '0');
      await send(q.url, 'now', { DelaySeconds: 0 });
      const [now] = await receiveN(c(), q.url, 1, { timeoutMs: 1500 });
      assert.equal(now?.Body, 'now');
      const [later] = await receiveN(c(), q.url, 1, { timeoutMs: 5000 });
      assert.equal(later?.Body, 'delayed');
      assert.ok(Date.now() - t0 >= 1900, `delivered after ${Date.now() - t0} ms`);
    });

    test('per-message DelaySeconds delays delivery', async (t) => {
      const q = await createTestQueue(t, c());
      const t0 = Date.now();
      await send(q.url, 'later', { DelaySeconds: 2 });
      await send(q.url, 'soon');
      const [first] = await receiveN(c(), q.url, 1, { timeoutMs: 1500 });
      assert.equal(first?.Body, 'soon');
      assert.ok(noMessages(await receive(q.url)));
      const [second] = await receiveN(c(), q.url, 1, { timeoutMs: 5000 });
      assert.equal(second?.Body, 'later');
      assert.ok(Date.now() - t0 >= 1900, `delivered after ${Date.now() - t0} ms`);
    });

    test('DelaySeconds over 900 is InvalidParameterValue', async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(send(q.url, 'x', { DelaySeconds: 901 }), { code: 'InvalidParameterValue', status: 400 });
    });

    test('a body over MaximumMessageSize is InvalidParameterValue; equal is fine', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { MaximumMessageSize: '1024' } });
      await send(q.url, 'a'.repeat(1024));
      await expectSqsError(send(q.url, 'a'.repeat(1025)), { code: 'InvalidParameterValue', status: 400 });
    });

    // Spec §4.5: bytes are counted in UTF-8.
    test('the size limit counts UTF-8 bytes', deviation('counts UTF-16 code units'), async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { MaximumMessageSize: '1024' } });
      // 512 × 'é' = 1024 bytes; one more byte is too many.
      await send(q.url, 'é'.repeat(512));
      await expectSqsError(send(q.url, `${'é'.repeat(512)}a`), { code: 'InvalidParameterValue' });
    });

    test('message attributes count toward the size limit', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { MaximumMessageSize: '1024' } });
      // 1000 + len("attr0001")=8 + len("String")=6 + 10 = 1024: fits exactly.
      const attr = { attr0001: { DataType: 'String', StringValue: '0123456789' } };
      await send(q.url, 'b'.repeat(1000), { MessageAttributes: attr });
      await expectSqsError(send(q.url, 'b'.repeat(1001), { MessageAttributes: attr }), {
        code: 'InvalidParameterValue',
        status: 400,
      });
    });

    test('the default limit is 1 MiB', async (t) => {
      const q = await createTestQueue(t, c());
      const r = await send(q.url, 'z'.repeat(1048576));
      assert.equal(r.MD5OfMessageBody, md5('z'.repeat(1048576)));
      await expectSqsError(send(q.url, 'z'.repeat(1048577)), { code: 'InvalidParameterValue', status: 400 });
      const [m] = await receiveN(c(), q.url, 1);
      assert.equal(m.Body.length, 1048576);
    });

    test('invalid characters are InvalidMessageContents', deviation('accepts them'), async (t) => {
      const q = await createTestQueue(t, c());
      for (const body of ['nul\u0000', 'backspace\u0008', 'vt\u000B', 'unit sep\u001F', 'noncharacter\uFFFF']) {
        await expectSqsError(send(q.url, body), {
          code: 'InvalidMessageContents',
          shape: 'InvalidMessageContents',
          status: 400,
        }, `${JSON.stringify(body)}:`);
      }
      const a = await queueAttrs(c(), q.url);
      assert.equal(a.ApproximateNumberOfMessages, '0');
    });

    // The SDKs send a lone surrogate as the JSON escape "\ud800", which is valid JSON syntax;
    // the character itself is outside the allowed set (spec §4.5), so the answer is
    // InvalidMessageContents rather than a JSON parse error.
    test('a lone surrogate (JSON escape \\ud800) is InvalidMessageContents', deviation('accepts it'), async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(send(q.url, 'lone \uD800 surrogate'), {
        code: 'InvalidMessageContents',
        status: 400,
      });
    });

    test('an empty body is MissingParameter', async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(send(q.url, ''), { code: 'MissingParameter', status: 400 });
    });

    test('an empty String attribute value is InvalidParameterValue', async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(
        send(q.url, 'x', { MessageAttributes: { empty: { DataType: 'String', StringValue: '' } } }),
        { code: 'InvalidParameterValue', status: 400 },
      );
    });

    test('MaxNumberOfMessages 0 or 11 and WaitTimeSeconds 21 are InvalidParameterValue', async (t) => {
      const q = await createTestQueue(t, c());
      await expectSqsError(receive(q.url, { MaxNumberOfMessages: 11 }), { code: 'InvalidParameterValue', status: 400 });
      await expectSqsError(receive(q.url, { MaxNumberOfMessages: 0 }), { code: 'InvalidParameterValue', status: 400 });
      await expectSqsError(receive(q.url, { WaitTimeSeconds: 21 }), { code: 'InvalidParameterValue', status: 400 });
      await expectSqsError(receive(q.url, { VisibilityTimeout: 43201 }), { code: 'InvalidParameterValue', status: 400 });
    });

    test('a message is delivered once per visibility window to concurrent receivers', async (t) => {
      const q = await createTestQueue(t, c());
      const n = 20;
      const entries = (off) => Array.from({ length: 10 }, (_, i) => ({ Id: `i${i}`, MessageBody: `msg-${off + i}` }));
      await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries(0) });
      await c().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries(10) });
      const seen = [];
      await Promise.all(Array.from({ length: 5 }, async () => {
        const deadline = Date.now() + 8000;
        while (Date.now() < deadline) {
          const r = await receive(q.url, { MaxNumberOfMessages: 3, WaitTimeSeconds: 1 });
          if (noMessages(r)) {
            if (seen.length >= n) return;
            continue;
          }
          seen.push(...r.Messages.map((m) => m.Body));
        }
      }));
      assert.equal(seen.length, n, 'every message received exactly once');
      assert.equal(new Set(seen).size, n);
      const ok = await waitFor(async () => (await queueAttrs(c(), q.url)).ApproximateNumberOfMessagesNotVisible === String(n));
      assert.ok(ok, 'all in flight');
    });
  });
}
