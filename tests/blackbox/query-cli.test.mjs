// The query protocol through Debian's AWS CLI v2.9 (/usr/bin/aws), which predates SQS's move
// to JSON. Each CLI run costs about a second, so the flows are grouped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  useServer, awsCli, cliOk, cliErr, uniqueName, md5, md5OfMessageAttributes, deviation, sleep,
  QUERY_CLI, ACCOUNT_ID, REGION,
} from './helpers.mjs';

const execFileP = promisify(execFile);
const ctx = useServer();
const haveCli = fs.existsSync(QUERY_CLI);
const opts = haveCli ? {} : { skip: `${QUERY_CLI} not installed (apt-get install awscli)` };

const aws = (...args) => awsCli(ctx.endpoint, args);

async function withQueue(t, args = []) {
  const name = uniqueName('cli');
  const out = cliOk(await aws('create-queue', '--queue-name', name, ...args));
  t.after(() => aws('delete-queue', '--queue-url', out.QueueUrl));
  return { name, url: out.QueueUrl };
}

describe('query protocol via /usr/bin/aws (CLI v2.9)', opts, () => {
  test('the CLI is the query-protocol one', async () => {
    const { stdout, stderr } = await execFileP(QUERY_CLI, ['--version']);
    const v = `${stdout}${stderr}`;
    // CLI v2 speaks query up to 2.13.33 and 2.13.39–2.15.40 (spec §1.2).
    assert.match(v, /aws-cli\/2\.(\d|1[0-2])\./, `expected a query-era CLI v2, got ${v}`);
  });

  test('create-queue: URL, idempotency, QueueAlreadyExists, tags', async (t) => {
    const q = await withQueue(t, ['--attributes', 'VisibilityTimeout=45']);
    assert.equal(q.url, `${ctx.endpoint}/${ACCOUNT_ID}/${q.name}`);
    const again = cliOk(await aws('create-queue', '--queue-name', q.name, '--attributes', 'VisibilityTimeout=45'));
    assert.equal(again.QueueUrl, q.url);
    cliErr(await aws('create-queue', '--queue-name', q.name, '--attributes', 'VisibilityTimeout=46'),
      'QueueAlreadyExists');
    // Whether tags take part in idempotency is unconfirmed (spec §3.3), so use another queue.
    const tagged = await withQueue(t, ['--tags', 'team=shop']);
    const tags = cliOk(await aws('list-queue-tags', '--queue-url', tagged.url));
    assert.deepEqual(tags.Tags, { team: 'shop' });
    cliOk(await aws('tag-queue', '--queue-url', tagged.url, '--tags', 'env=test,team=ops'));
    cliOk(await aws('untag-queue', '--queue-url', tagged.url, '--tag-keys', 'env'));
    assert.deepEqual(cliOk(await aws('list-queue-tags', '--queue-url', tagged.url)).Tags, { team: 'ops' });
  });

  test('get-queue-url and list-queues with prefix and paging', async (t) => {
    const prefix = uniqueName('clilist');
    const urls = [];
    for (const s of ['a', 'b', 'c']) {
      const out = cliOk(await aws('create-queue', '--queue-name', `${prefix}-${s}`));
      t.after(() => aws('delete-queue', '--queue-url', out.QueueUrl));
      urls.push(out.QueueUrl);
    }
    const got = cliOk(await aws('get-queue-url', '--queue-name', `${prefix}-b`));
    assert.equal(got.QueueUrl, urls[1]);
    cliErr(await aws('get-queue-url', '--queue-name', uniqueName('missing')),
      'AWS.SimpleQueueService.NonExistentQueue');
    const all = cliOk(await aws('list-queues', '--queue-name-prefix', prefix));
    assert.deepEqual([...all.QueueUrls].sort(), urls);
    // --page-size 1 makes the CLI walk MaxResults=1 pages with NextToken to the end.
    const paged = cliOk(await aws('list-queues', '--queue-name-prefix', prefix, '--page-size', '1'));
    assert.deepEqual([...paged.QueueUrls].sort(), urls);
    const firstTwo = cliOk(await aws('list-queues', '--queue-name-prefix', prefix, '--page-size', '2', '--max-items', '2'));
    assert.equal(firstTwo.QueueUrls.length, 2);
    assert.ok(firstTwo.NextToken, 'a token to resume from');
    const rest = cliOk(await aws('list-queues', '--queue-name-prefix', prefix, '--page-size', '2',
      '--starting-token', firstTwo.NextToken));
    assert.deepEqual([...firstTwo.QueueUrls, ...rest.QueueUrls].sort(), urls);
  });

  test('get/set-queue-attributes and their errors', async (t) => {
    const q = await withQueue(t);
    const all = cliOk(await aws('get-queue-attributes', '--queue-url', q.url, '--attribute-names', 'All')).Attributes;
    assert.equal(all.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${q.name}`);
    assert.equal(all.VisibilityTimeout, '30');
    assert.equal(all.ApproximateNumberOfMessages, '0');
    cliOk(await aws('set-queue-attributes', '--queue-url', q.url, '--attributes', 'VisibilityTimeout=60,DelaySeconds=1'));
    const two = cliOk(await aws('get-queue-attributes', '--queue-url', q.url,
      '--attribute-names', 'VisibilityTimeout', 'DelaySeconds')).Attributes;
    assert.deepEqual(two, { VisibilityTimeout: '60', DelaySeconds: '1' });
    cliErr(await aws('set-queue-attributes', '--queue-url', q.url, '--attributes', 'Foobar=1'), 'InvalidAttributeName');
    cliErr(await aws('get-queue-attributes', '--queue-url', q.url, '--attribute-names', 'Foobar'), 'InvalidAttributeName');
  });

  test('set-queue-attributes out of range is InvalidAttributeValue', deviation('answers InvalidParameterValue'), async (t) => {
    const q = await withQueue(t);
    cliErr(await aws('set-queue-attributes', '--queue-url', q.url, '--attributes', 'VisibilityTimeout=43201'),
      'InvalidAttributeValue');
  });

  test('send-message with attributes, receive, MD5s, delete', async (t) => {
    const q = await withQueue(t);
    const attrs = {
      City: { DataType: 'String', StringValue: 'Any City' },
      Population: { DataType: 'Number', StringValue: '1250800' },
      Blob: { DataType: 'Binary', BinaryValue: 'AAEC' },
    };
    const body = 'query body "quotes" \u00e9\u2713';
    const sent = cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', body,
      '--message-attributes', JSON.stringify(attrs)));
    assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body, 'utf8')));
    assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
    assert.equal(sent.MD5OfMessageAttributes, '69d43f899c5f825653b41c617787137a');
    const rec = cliOk(await aws('receive-message', '--queue-url', q.url, '--attribute-names', 'All',
      '--message-attribute-names', 'All', '--wait-time-seconds', '1'));
    assert.equal(rec.Messages.length, 1);
    const m = rec.Messages[0];
    assert.equal(m.Body, body);
    assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfMessageAttributes, '69d43f899c5f825653b41c617787137a');
    assert.deepEqual(m.MessageAttributes, attrs);
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    assert.ok(Number(m.Attributes.SentTimestamp) > 1.6e12, 'SentTimestamp in ms');
    cliOk(await aws('delete-message', '--queue-url', q.url, '--receipt-handle', m.ReceiptHandle));
    cliErr(await aws('delete-message', '--queue-url', q.url, '--receipt-handle', 'garbage'), 'ReceiptHandleIsInvalid');
    const empty = cliOk(await aws('receive-message', '--queue-url', q.url));
    assert.equal((empty.Messages ?? []).length, 0);
  });

  test('a body with CR LF, < and & survives the XML round trip',
    deviation('writes CR, < and & unescaped: invalid XML or CRLF turned into LF'), async (t) => {
    const q = await withQueue(t);
    const body = 'line1\r\nline2\rline3\n <tag> & &amp; ]]>';
    const sent = cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', body));
    assert.equal(sent.MD5OfMessageBody, md5(body));
    const rec = cliOk(await aws('receive-message', '--queue-url', q.url, '--wait-time-seconds', '1'));
    assert.equal(rec.Messages[0].Body, body);
    assert.equal(rec.Messages[0].MD5OfBody, md5(body));
  });

  test('receive filters: message attribute prefix and single system attribute', async (t) => {
    const q = await withQueue(t);
    const attrs = {
      'foo.a': { DataType: 'String', StringValue: '1' },
      'foo.b': { DataType: 'String', StringValue: '2' },
      bar: { DataType: 'String', StringValue: '3' },
    };
    cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', 'x', '--message-attributes', JSON.stringify(attrs)));
    const rec = cliOk(await aws('receive-message', '--queue-url', q.url, '--message-attribute-names', 'foo.*',
      '--attribute-names', 'SentTimestamp', '--wait-time-seconds', '1'));
    const m = rec.Messages[0];
    assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ['foo.a', 'foo.b']);
    assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes({ 'foo.a': attrs['foo.a'], 'foo.b': attrs['foo.b'] }));
    assert.deepEqual(Object.keys(m.Attributes), ['SentTimestamp']);
  });

  test('send-message-batch partial failure, batch errors, delete-message-batch', async (t) => {
    const q = await withQueue(t, ['--attributes', 'MaximumMessageSize=1024']);
    const batch = cliOk(await aws('send-message-batch', '--queue-url', q.url, '--entries', JSON.stringify([
      { Id: 'a', MessageBody: 'first' },
      { Id: 'big', MessageBody: 'x'.repeat(1025) },
      { Id: 'b', MessageBody: 'second' },
    ])));
    assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ['a', 'b']);
    assert.equal(batch.Successful.find((e) => e.Id === 'a').MD5OfMessageBody, md5('first'));
    assert.equal(batch.Failed.length, 1);
    assert.equal(batch.Failed[0].Id, 'big');
    assert.equal(batch.Failed[0].SenderFault, true);
    assert.equal(batch.Failed[0].Code, 'InvalidParameterValue');

    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    cliErr(await aws('send-message-batch', '--queue-url', q.url, '--entries', JSON.stringify(eleven)),
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    cliErr(await aws('send-message-batch', '--queue-url', q.url, '--entries',
      JSON.stringify([{ Id: 'd', MessageBody: '1' }, { Id: 'd', MessageBody: '2' }])),
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');

    const rec = cliOk(await aws('receive-message', '--queue-url', q.url, '--max-number-of-messages', '10',
      '--wait-time-seconds', '1'));
    let msgs = rec.Messages ?? [];
    if (msgs.length < 2) {
      const more = cliOk(await aws('receive-message', '--queue-url', q.url, '--max-number-of-messages', '10', '--wait-time-seconds', '1'));
      msgs = msgs.concat(more.Messages ?? []);
    }
    assert.equal(msgs.length, 2);
    const del = cliOk(await aws('delete-message-batch', '--queue-url', q.url, '--entries', JSON.stringify([
      ...msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      { Id: 'junk', ReceiptHandle: 'garbage' },
    ])));
    assert.deepEqual(del.Successful.map((e) => e.Id).sort(), ['d0', 'd1']);
    assert.equal(del.Failed[0].Id, 'junk');
    const attrs = cliOk(await aws('get-queue-attributes', '--queue-url', q.url, '--attribute-names', 'All')).Attributes;
    assert.equal(attrs.ApproximateNumberOfMessages, '0');
  });

  test('visibility: change-message-visibility 0 and the batch form', async (t) => {
    const q = await withQueue(t);
    cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', 'one'));
    cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', 'two'));
    let msgs = [];
    for (let i = 0; i < 3 && msgs.length < 2; i++) {
      const r = cliOk(await aws('receive-message', '--queue-url', q.url, '--max-number-of-messages', '10',
        '--visibility-timeout', '60', '--wait-time-seconds', '1'));
      msgs = msgs.concat(r.Messages ?? []);
    }
    assert.equal(msgs.length, 2);
    cliOk(await aws('change-message-visibility', '--queue-url', q.url, '--receipt-handle', msgs[0].ReceiptHandle,
      '--visibility-timeout', '0'));
    const again = cliOk(await aws('receive-message', '--queue-url', q.url, '--wait-time-seconds', '1',
      '--visibility-timeout', '60'));
    assert.equal(again.Messages?.[0]?.MessageId, msgs[0].MessageId);
    const batch = cliOk(await aws('change-message-visibility-batch', '--queue-url', q.url, '--entries', JSON.stringify([
      { Id: 'x', ReceiptHandle: again.Messages[0].ReceiptHandle, VisibilityTimeout: 0 },
      { Id: 'y', ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 0 },
    ])));
    assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ['x', 'y']);
    const both = cliOk(await aws('receive-message', '--queue-url', q.url, '--max-number-of-messages', '10', '--wait-time-seconds', '1'));
    assert.ok((both.Messages ?? []).length >= 1);
  });

  test('parameter validation errors', async (t) => {
    const q = await withQueue(t);
    cliErr(await aws('receive-message', '--queue-url', q.url, '--max-number-of-messages', '11'), 'InvalidParameterValue');
  });

  // The AWS message for this one contains "<=" ("Must be >= 0 and <= 20"), which must be escaped.
  test('WaitTimeSeconds 21 and DelaySeconds 901 are InvalidParameterValue in well-formed XML',
    deviation('writes the "<=" of the message unescaped: invalid XML'), async (t) => {
    const q = await withQueue(t);
    cliErr(await aws('receive-message', '--queue-url', q.url, '--wait-time-seconds', '21'), 'InvalidParameterValue');
    cliErr(await aws('send-message', '--queue-url', q.url, '--message-body', 'x', '--delay-seconds', '901'),
      'InvalidParameterValue');
  });

  test('invalid characters are InvalidMessageContents', deviation('accepts them'), async (t) => {
    const q = await withQueue(t);
    cliErr(await aws('send-message', '--queue-url', q.url, '--message-body', 'bell\u0007'), 'InvalidMessageContents');
  });

  test('long poll: an empty wait lasts about the wait time', async (t) => {
    const q = await withQueue(t);
    const t0 = Date.now();
    const r = cliOk(await aws('receive-message', '--queue-url', q.url, '--wait-time-seconds', '2'));
    const elapsed = Date.now() - t0;
    assert.equal((r.Messages ?? []).length, 0);
    assert.ok(elapsed >= 1900, `returned after ${elapsed} ms`);
  });

  test('long poll: a send wakes a waiting CLI receive', async (t) => {
    const q = await withQueue(t);
    const t0 = Date.now();
    const pending = aws('receive-message', '--queue-url', q.url, '--wait-time-seconds', '10');
    await sleep(1500); // the CLI needs a moment to start and send its request
    cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', 'wake'));
    const r = cliOk(await pending);
    const elapsed = Date.now() - t0;
    assert.equal(r.Messages?.[0]?.Body, 'wake');
    assert.ok(elapsed < 7000, `returned after ${elapsed} ms; the 10 s wait should have been cut short`);
  });

  test('purge-queue and delete-queue', async (t) => {
    const q = await withQueue(t);
    cliOk(await aws('send-message', '--queue-url', q.url, '--message-body', 'x'));
    cliOk(await aws('purge-queue', '--queue-url', q.url));
    cliOk(await aws('delete-queue', '--queue-url', q.url));
    cliErr(await aws('get-queue-attributes', '--queue-url', q.url, '--attribute-names', 'All'),
      'AWS.SimpleQueueService.NonExistentQueue');
  });
});
