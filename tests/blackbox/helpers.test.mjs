// Self-checks of the suite's own reference algorithms against the spec's vectors, so that a
// failure elsewhere is the server's and not the test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md5, md5OfMessageAttributes, signV4 } from './helpers.mjs';

test('MD5OfMessageBody vectors (spec §5.1)', () => {
  assert.equal(md5('hello'), '5d41402abc4b2a76b9719d911017c592');
  assert.equal(md5('msg'), '6e2baaf3b97dbeef01c0043275f9a0e7');
});

test('MD5OfMessageAttributes vectors (spec §5.2)', () => {
  const all = {
    City: { DataType: 'String', StringValue: 'Any City' },
    Population: { DataType: 'Number', StringValue: '1250800' },
    Blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
  };
  assert.equal(md5OfMessageAttributes(all), '69d43f899c5f825653b41c617787137a');
  assert.equal(
    md5OfMessageAttributes({ City: all.City, Population: all.Population }),
    'bf1eb494fecc925abadc71de4be9785c',
  );
  assert.equal(md5OfMessageAttributes({ City: all.City }), '0c32cb5c844c01fbd5b6b434b52cf670');
  assert.equal(
    md5OfMessageAttributes({ Foo: { DataType: 'String', StringValue: 'Bar' } }),
    'ae7155c6026991b6d54b11589678bf9c',
  );
  assert.equal(
    md5OfMessageAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }),
    '235c5c510d26fb653d073faed50ae77c',
  );
  assert.equal(
    md5OfMessageAttributes({
      binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
    }),
    '31a92b15d92f8db860eda32aceb656c3',
  );
  assert.equal(
    md5OfMessageAttributes({
      AWSTraceHeader: {
        DataType: 'String',
        StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      },
    }),
    '5ae4d5d7636402d80f4eb6d213245a88',
  );
});

test('SigV4 signer reproduces spec §8.2 vector A', () => {
  const h = signV4({
    method: 'POST',
    url: 'https://sqs.us-east-1.amazonaws.com/',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'AmazonSQS.SendMessage',
    },
    body: '{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/MyQueue","MessageBody":"hello"}',
    date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
  assert.match(h.authorization, /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
  assert.match(h.authorization, /Signature=cabd86f968dff9f087f7016e7b9fe46a1699021b647e66129c0a6e70b5204980$/);
});
