// The wire itself, via signed raw HTTP requests: things SDKs never send (malformed bodies,
// unknown actions) and the exact shape of replies and errors (spec §1).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, startServer, rawJson, rawQuery, rawRequest, xmlText, xmlAll, uniqueName, sleep,
  deviation, skipOn, ACCOUNT_ID, REGION, IS_TERN, md5,
} from './helpers.mjs';

const ctx = useServer();

const QUERY_ERROR_RE = /^[A-Za-z0-9.]+;(Sender|Receiver)$/;

async function createQueueJson(name) {
  const r = await rawJson(ctx.endpoint, 'CreateQueue', { QueueName: name });
  assert.equal(r.status, 200, r.text);
  return r.json.QueueUrl;
}

async function deleteQueue(url) {
  await rawJson(ctx.endpoint, 'DeleteQueue', { QueueUrl: url });
}

function assertJsonError(r, { status = 400, code, shape } = {}) {
  assert.equal(r.status, status, `status; body ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/x-amz-json-1\.0/);
  assert.ok(r.json && typeof r.json.__type === 'string', `JSON error body with __type: ${r.text}`);
  assert.ok(typeof (r.json.message ?? r.json.Message) === 'string', `error message: ${r.text}`);
  const qe = r.headers.get('x-amzn-query-error');
  assert.ok(qe, 'x-amzn-query-error header present');
  assert.match(qe, QUERY_ERROR_RE);
  if (code) assert.equal(qe.split(';')[0], code);
  if (shape) assert.equal(r.json.__type.split('#').pop().split(':')[0], shape);
  return r;
}

function assertXmlError(r, { status = 400, code, type = 'Sender' } = {}) {
  assert.equal(r.status, status, `status; body ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /xml/);
  assert.match(r.text, /<ErrorResponse[\s>]/);
  assert.ok(xmlText(r.text, 'Code'), `Code element: ${r.text}`);
  if (code) assert.equal(xmlText(r.text, 'Code'), code);
  assert.equal(xmlText(r.text, 'Type'), type);
  assert.ok(xmlText(r.text, 'Message') !== undefined, 'Message element');
  // RequestId is a direct child of ErrorResponse, after </Error> (spec §1.7.1).
  assert.match(r.text, /<\/Error>\s*<RequestId>[^<]+<\/RequestId>\s*<\/ErrorResponse>/);
}

describe('JSON protocol on the wire', () => {
  test('a success reply has the JSON content type and a request id', async () => {
    const r = await rawJson(ctx.endpoint, 'ListQueues', {});
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/x-amz-json-1\.0/);
    assert.ok(r.headers.get('x-amzn-requestid'), 'x-amzn-RequestId header');
    assert.ok(r.json && typeof r.json === 'object');
  });

  test('an empty ReceiveMessage is {} and an output-less action is {} or empty',
    deviation('answers an empty body, not {}, for an empty receive'), async (t) => {
    const url = await createQueueJson(uniqueName('raw'));
    t.after(() => deleteQueue(url));
    const r = await rawJson(ctx.endpoint, 'ReceiveMessage', { QueueUrl: url });
    assert.equal(r.status, 200);
    const p = await rawJson(ctx.endpoint, 'PurgeQueue', { QueueUrl: url });
    assert.equal(p.status, 200);
    assert.ok(p.text === '' || JSON.stringify(p.json) === '{}', `PurgeQueue body: ${p.text}`);
    // Empty lists are omitted (spec §1.4 [R]).
    assert.deepEqual(r.json, {});
  });

  test('malformed JSON is a 400 with a JSON error and x-amzn-query-error',
    deviation('ignores a malformed body and answers 200'), async () => {
    const r = await rawJson(ctx.endpoint, 'ListQueues', '{"QueueNamePrefix": ');
    assertJsonError(r);
  });

  test('a JSON body that is not an object is a 400', deviation('answers 200'), async () => {
    for (const body of ['[1,2]', '"str"', '42']) {
      const r = await rawJson(ctx.endpoint, 'ListQueues', body);
      assertJsonError(r);
    }
  });

  test('an unknown action is a 400 with a JSON error', async () => {
    const r = await rawJson(ctx.endpoint, 'NoSuchAction', {});
    assertJsonError(r);
  });

  test('an X-Amz-Target outside AmazonSQS is rejected', async () => {
    const r = await rawJson(ctx.endpoint, 'ListQueues', {}, { target: 'DynamoDB_20120810.ListTables' });
    assertJsonError(r);
  });

  test('a missing queue has the modeled error: shape, query code and status', async () => {
    const r = await rawJson(ctx.endpoint, 'GetQueueUrl', { QueueName: uniqueName('nope') });
    assertJsonError(r, {
      status: 400,
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      shape: 'QueueDoesNotExist',
    });
  });

  test('a wrong-typed member is a 400', deviation('ignores it and answers 200'), async () => {
    const r = await rawJson(ctx.endpoint, 'ListQueues', { MaxResults: 'many' });
    assertJsonError(r);
  });

  test('a missing required member is MissingParameter', async () => {
    const url = await createQueueJson(uniqueName('raw'));
    try {
      const r = await rawJson(ctx.endpoint, 'SendMessage', { QueueUrl: url });
      assertJsonError(r, { code: 'MissingParameter' });
    } finally {
      await deleteQueue(url);
    }
  });

  test('JSON is accepted at the queue path too', async () => {
    const name = uniqueName('raw');
    const url = await createQueueJson(name);
    try {
      const r = await rawJson(ctx.endpoint, 'GetQueueAttributes',
        { QueueUrl: url, AttributeNames: ['QueueArn'] }, { path: `/${ACCOUNT_ID}/${name}` });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.Attributes.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`);
    } finally {
      await deleteQueue(url);
    }
  });

  test('SendMessage over raw JSON reproduces the spec example digests', async () => {
    const url = await createQueueJson(uniqueName('raw'));
    try {
      const r = await rawJson(ctx.endpoint, 'SendMessage', {
        QueueUrl: url,
        MessageBody: 'hello',
        MessageAttributes: {
          City: { DataType: 'String', StringValue: 'Any City' },
          Population: { DataType: 'Number', StringValue: '1250800' },
          Blob: { DataType: 'Binary', BinaryValue: 'AAEC' },
        },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.MD5OfMessageBody, '5d41402abc4b2a76b9719d911017c592');
      assert.equal(r.json.MD5OfMessageAttributes, '69d43f899c5f825653b41c617787137a');
      const rec = await rawJson(ctx.endpoint, 'ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] });
      assert.equal(rec.json.Messages[0].MessageAttributes.Blob.BinaryValue, 'AAEC', 'blobs are base64 in JSON');
    } finally {
      await deleteQueue(url);
    }
  });
});

describe('query protocol on the wire', () => {
  test('a success reply is XML with the 2012-11-05 namespace and a RequestId', async () => {
    const name = uniqueName('rawq');
    const r = await rawQuery(ctx.endpoint, { Action: 'CreateQueue', QueueName: name });
    try {
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type'), /xml/);
      assert.match(r.text, /<CreateQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/">/);
      assert.equal(xmlText(r.text, 'QueueUrl'), ctx.queueUrl(name));
      assert.match(r.text, /<ResponseMetadata>\s*<RequestId>[^<]+<\/RequestId>\s*<\/ResponseMetadata>/);
    } finally {
      await deleteQueue(ctx.queueUrl(name));
    }
  });

  test('an unknown Action is InvalidAction in an XML ErrorResponse',
    deviation('answers AWS.SimpleQueueService.UnsupportedOperation'), async () => {
    const r = await rawQuery(ctx.endpoint, { Action: 'NoSuchAction' });
    assertXmlError(r, { code: 'InvalidAction' });
  });

  test('a missing queue is AWS.SimpleQueueService.NonExistentQueue in XML', async () => {
    const r = await rawQuery(ctx.endpoint, { Action: 'GetQueueUrl', QueueName: uniqueName('nope') });
    assertXmlError(r, { code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  test('query parameters in a GET URL work', deviation('reads POST bodies only'), async () => {
    const name = uniqueName('rawget');
    const url = await createQueueJson(name);
    try {
      const r = await rawQuery(ctx.endpoint, { Action: 'ListQueues', QueueNamePrefix: name }, { method: 'GET' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(xmlAll(r.text, 'QueueUrl'), [url]);
    } finally {
      await deleteQueue(url);
    }
  });

  test('a query request at the queue path without QueueUrl targets that queue',
    deviation('ignores the path: NonExistentQueue'), async () => {
    const name = uniqueName('rawpath');
    const url = await createQueueJson(name);
    try {
      const r = await rawQuery(ctx.endpoint, { Action: 'GetQueueAttributes', 'AttributeName.1': 'QueueArn' },
        { path: `/${ACCOUNT_ID}/${name}` });
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /<Attribute>\s*<Name>QueueArn<\/Name>\s*<Value>arn:aws:sqs:us-east-1:000000000000:/);
      assert.equal(xmlText(r.text, 'Value'), `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`);
    } finally {
      await deleteQueue(url);
    }
  });

  test('CreateQueue at a queue path is InvalidAction', deviation('accepts it'), async () => {
    const r = await rawQuery(ctx.endpoint, { Action: 'CreateQueue', QueueName: uniqueName('x') },
      { path: `/${ACCOUNT_ID}/${uniqueName('y')}` });
    assertXmlError(r, { code: 'InvalidAction' });
  });

  test('XML escapes CR so bodies survive; send and receive keep the MD5',
    deviation('writes CR literally, so XML parsers turn CRLF into LF'), async () => {
    const name = uniqueName('rawxml');
    const url = await createQueueJson(name);
    try {
      const body = 'a\r\nb <c> & "d" \'e\' \u00e9';
      const s = await rawQuery(ctx.endpoint, { Action: 'SendMessage', QueueUrl: url, MessageBody: body });
      assert.equal(s.status, 200, s.text);
      assert.equal(xmlText(s.text, 'MD5OfMessageBody'), md5(Buffer.from(body, 'utf8')));
      const r = await rawQuery(ctx.endpoint, { Action: 'ReceiveMessage', QueueUrl: url });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.text.includes('&#xD;'), `CR is written as &#xD;: ${r.text}`);
      assert.equal(xmlText(r.text, 'Body'), body);
      const e = await rawQuery(ctx.endpoint, { Action: 'ReceiveMessage', QueueUrl: url });
      assert.match(e.text, /<ReceiveMessageResult\s*\/>|<ReceiveMessageResult>\s*<\/ReceiveMessageResult>/);
    } finally {
      await deleteQueue(url);
    }
  });
});

describe('other HTTP', () => {
  test('a bare GET of a queue path is 404', deviation('answers 400'), async () => {
    const r = await rawRequest(`${ctx.endpoint}/${ACCOUNT_ID}/${uniqueName('bare')}`, { method: 'GET' });
    assert.equal(r.status, 404);
  });

  test('GET /health answers 200', skipOn(['local-aws-sqs'], 'a Tern endpoint; the emulator has none'), async () => {
    const r = await fetch(`${ctx.endpoint}/health`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  test('SIGTERM stops the server gracefully, also with a long poll pending', { timeout: 60000 }, async () => {
    const srv = await startServer();
    let exitCode;
    try {
      const url = (await rawJson(srv.endpoint, 'CreateQueue', { QueueName: uniqueName('term') })).json.QueueUrl;
      const poll = rawJson(srv.endpoint, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 })
        .then((r) => r.status, (e) => `error: ${e.message}`);
      await sleep(300);
      const t0 = Date.now();
      srv.proc.kill('SIGTERM');
      exitCode = await Promise.race([srv.exited, sleep(25000).then(() => 'timeout')]);
      const elapsed = Date.now() - t0;
      const pollOutcome = await Promise.race([poll, sleep(2000).then(() => 'still pending')]);
      assert.notEqual(exitCode, 'timeout', 'exited within 25 s of SIGTERM');
      assert.equal(exitCode, 0, `exit code after SIGTERM; output:\n${srv.output()}`);
      assert.notEqual(pollOutcome, 'still pending', 'the pending poll was answered or closed');
      if (IS_TERN) console.log(`exit after ${elapsed} ms; poll: ${pollOutcome}`);
    } finally {
      await srv.stop();
    }
  });
});
