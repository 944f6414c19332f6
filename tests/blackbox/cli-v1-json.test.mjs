// The JSON protocol through the pip-installed AWS CLI v1 (botocore ≥ 1.34.90 speaks JSON and
// sends x-amzn-query-mode). Skipped when no `aws` v1 is on PATH: Debian's /usr/bin/aws is v2.9.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, awsCli, cliOk, cliErr, findPipCli, uniqueName, md5, md5OfMessageAttributes } from './helpers.mjs';

const pip = await findPipCli();
const opts = pip ? {} : { skip: 'no AWS CLI v1 on PATH (pip install awscli); Debian\'s /usr/bin/aws is the query-protocol v2.9' };

const ctx = useServer();
const aws = (...args) => awsCli(ctx.endpoint, args, { bin: pip.path });

describe(`JSON protocol via pip AWS CLI ${pip?.version ?? 'v1'}`, opts, () => {
  let url;
  before(async () => {
    url = cliOk(await aws('create-queue', '--queue-name', uniqueName('cliv1'))).QueueUrl;
  });

  test('send with attributes, receive, delete', async (t) => {
    t.after(() => aws('delete-queue', '--queue-url', url));
    const attrs = {
      City: { DataType: 'String', StringValue: 'Any City' },
      Population: { DataType: 'Number', StringValue: '1250800' },
    };
    // (No Binary attribute: CLI v1 takes blob arguments as raw text, v2 as base64.)
    const sent = cliOk(await aws('send-message', '--queue-url', url, '--message-body', 'v1 body',
      '--message-attributes', JSON.stringify(attrs)));
    assert.equal(sent.MD5OfMessageBody, md5('v1 body'));
    assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
    const rec = cliOk(await aws('receive-message', '--queue-url', url, '--message-attribute-names', 'All',
      '--attribute-names', 'All', '--wait-time-seconds', '1'));
    const m = rec.Messages[0];
    assert.equal(m.Body, 'v1 body');
    assert.deepEqual(m.MessageAttributes, attrs);
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    cliOk(await aws('delete-message', '--queue-url', url, '--receipt-handle', m.ReceiptHandle));
    const attrsAfter = cliOk(await aws('get-queue-attributes', '--queue-url', url, '--attribute-names', 'All')).Attributes;
    assert.equal(attrsAfter.ApproximateNumberOfMessagesNotVisible, '0');
  });

  test('errors carry the query code from x-amzn-query-error', async () => {
    // botocore puts x-amzn-query-error's code into Error.Code; without the header the CLI
    // would print the shape name (QueueDoesNotExist) instead.
    cliErr(await aws('get-queue-url', '--queue-name', uniqueName('missing')), 'AWS.SimpleQueueService.NonExistentQueue');
    const q = cliOk(await aws('create-queue', '--queue-name', uniqueName('cliv1err'))).QueueUrl;
    try {
      cliErr(await aws('receive-message', '--queue-url', q, '--max-number-of-messages', '11'), 'InvalidParameterValue');
      cliErr(await aws('delete-message', '--queue-url', q, '--receipt-handle', 'garbage'), 'ReceiptHandleIsInvalid');
    } finally {
      await aws('delete-queue', '--queue-url', q);
    }
  });
});
