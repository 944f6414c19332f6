// AddPermission / RemovePermission and the Policy attribute they edit (spec §2). JSON via
// @aws-sdk/client-sqs (v3) and aws-sdk (v2); query via /usr/bin/aws (CLI v2.9).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  useServer, CLIENT_KINDS, createTestQueue, expectSqsError, queueAttrs, uniqueName, awsCli, cliOk, cliErr,
  deviation, QUERY_CLI,
} from './helpers.mjs';

const ctx = useServer();

const policyOf = async (c, url) => {
  const p = (await queueAttrs(c, url, ['Policy'])).Policy;
  return p === undefined ? undefined : JSON.parse(p);
};

for (const kind of CLIENT_KINDS) {
  describe(`permissions via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);

    test('AddPermission adds a statement per label; RemovePermission removes it; the last one removes Policy',
      deviation('writes Policy Version 2012-10-17 (AWS: 2008-10-17) and a single Statement as an object, not a list'), async (t) => {
      const q = await createTestQueue(t, c());
      const arn = (await queueAttrs(c(), q.url, ['QueueArn'])).QueueArn;
      assert.equal(await policyOf(c(), q.url), undefined, 'no Policy on a new queue');
      await c().call('AddPermission', { QueueUrl: q.url, Label: 'one', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] });
      let p = await policyOf(c(), q.url);
      assert.equal(p.Version, '2008-10-17');
      assert.equal(p.Statement.length, 1);
      const [s1] = p.Statement;
      assert.equal(s1.Sid, 'one');
      assert.equal(s1.Effect, 'Allow');
      assert.equal(s1.Action, 'SQS:SendMessage', 'a single action is a string');
      assert.equal(s1.Resource, arn);
      assert.equal(typeof s1.Principal.AWS, 'string', 'a single principal is a string');
      assert.match(s1.Principal.AWS, /111122223333/);

      await c().call('AddPermission', { QueueUrl: q.url, Label: 'two-2',
        AWSAccountIds: ['111122223333', '444455556666'], Actions: ['ReceiveMessage', 'DeleteMessage'] });
      p = await policyOf(c(), q.url);
      assert.deepEqual(p.Statement.map((s) => s.Sid), ['one', 'two-2']);
      const s2 = p.Statement[1];
      assert.deepEqual([...s2.Action].sort(), ['SQS:DeleteMessage', 'SQS:ReceiveMessage']);
      assert.equal(s2.Principal.AWS.length, 2);

      await expectSqsError(c().call('AddPermission', { QueueUrl: q.url, Label: 'one', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }),
        { code: 'InvalidParameterValue' }, 'duplicate label');
      await expectSqsError(c().call('AddPermission', { QueueUrl: q.url, Label: 'bad label!', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }),
        { code: 'InvalidParameterValue' }, 'label with a space');

      await c().call('RemovePermission', { QueueUrl: q.url, Label: 'one' });
      assert.deepEqual((await policyOf(c(), q.url)).Statement.map((s) => s.Sid), ['two-2']);
      await expectSqsError(c().call('RemovePermission', { QueueUrl: q.url, Label: 'one' }),
        { code: 'InvalidParameterValue' }, 'unknown label');
      await c().call('RemovePermission', { QueueUrl: q.url, Label: 'two-2' });
      assert.equal(await policyOf(c(), q.url), undefined, 'Policy disappears with its last statement');
    });

    test('AddPermission keeps the statements of a Policy set with SetQueueAttributes; RemovePermission finds them by Sid',
      deviation('RemovePermission removes another statement of the list than the labelled one'), async (t) => {
      for (const indent of [0, 2]) {
        const q = await createTestQueue(t, c());
        const own = { Version: '2012-10-17', Id: 'mine',
          Statement: [{ Sid: 'own', Effect: 'Allow', Principal: '*', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: '*' }] };
        await c().call('SetQueueAttributes', { QueueUrl: q.url, Attributes: { Policy: JSON.stringify(own, null, indent) } });
        await c().call('AddPermission', { QueueUrl: q.url, Label: 'added', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] });
        const p = await policyOf(c(), q.url);
        assert.deepEqual(p.Statement.map((s) => s.Sid), ['own', 'added'], `indent ${indent}: the existing statement is kept`);
        assert.deepEqual(p.Statement[0], own.Statement[0]);
        await c().call('RemovePermission', { QueueUrl: q.url, Label: 'own' });
        assert.deepEqual((await policyOf(c(), q.url)).Statement.map((s) => s.Sid), ['added'], `indent ${indent}`);
      }
    });

    test('odd account ids and action names never leave an invalid Policy document', async (t) => {
      const q = await createTestQueue(t, c());
      for (const [ids, actions] of [[['1"}]}'], ['SendMessage']], [['111122223333'], ['Send"Message']], [['111122223333'], ['NoSuchAction']]]) {
        try {
          await c().call('AddPermission', { QueueUrl: q.url, Label: uniqueName('odd'), AWSAccountIds: ids, Actions: actions });
        } catch (e) {
          assert.equal(e.code, 'InvalidParameterValue', e.message);
        }
        const raw = (await queueAttrs(c(), q.url, ['Policy'])).Policy;
        if (raw !== undefined) assert.doesNotThrow(() => JSON.parse(raw), `Policy is not JSON after ${ids} / ${actions}: ${raw}`);
      }
    });

    test('AddPermission / RemovePermission on a missing queue is QueueDoesNotExist', async () => {
      const url = ctx.queueUrl(uniqueName('missing'));
      await expectSqsError(c().call('AddPermission', { QueueUrl: url, Label: 'x', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }),
        { code: 'AWS.SimpleQueueService.NonExistentQueue' });
      await expectSqsError(c().call('RemovePermission', { QueueUrl: url, Label: 'x' }),
        { code: 'AWS.SimpleQueueService.NonExistentQueue' });
    });
  });
}

describe('permissions via /usr/bin/aws (query, CLI v2.9)', fs.existsSync(QUERY_CLI) ? {} : { skip: `${QUERY_CLI} not installed` }, () => {
  const aws = (...args) => awsCli(ctx.endpoint, args);

  test('add-permission, policy attribute, remove-permission, errors',
    deviation('writes a single Statement as an object, not a list'), async (t) => {
    const url = cliOk(await aws('create-queue', '--queue-name', uniqueName('cliperm'))).QueueUrl;
    t.after(() => aws('delete-queue', '--queue-url', url));
    cliOk(await aws('add-permission', '--queue-url', url, '--label', 'cli-label',
      '--aws-account-ids', '111122223333', '444455556666', '--actions', 'SendMessage', 'GetQueueUrl'));
    const attrs = cliOk(await aws('get-queue-attributes', '--queue-url', url, '--attribute-names', 'Policy')).Attributes;
    const p = JSON.parse(attrs.Policy);
    assert.equal(p.Statement[0].Sid, 'cli-label');
    assert.deepEqual([...p.Statement[0].Action].sort(), ['SQS:GetQueueUrl', 'SQS:SendMessage']);
    cliErr(await aws('add-permission', '--queue-url', url, '--label', 'cli-label',
      '--aws-account-ids', '111122223333', '--actions', 'SendMessage'), 'InvalidParameterValue');
    cliOk(await aws('remove-permission', '--queue-url', url, '--label', 'cli-label'));
    cliErr(await aws('remove-permission', '--queue-url', url, '--label', 'cli-label'), 'InvalidParameterValue');
    const after = cliOk(await aws('get-queue-attributes', '--queue-url', url, '--attribute-names', 'Policy'));
    assert.equal(after.Attributes?.Policy, undefined);
  });
});
