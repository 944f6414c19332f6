// Long polling (spec §4.4) through AWS SDK for JavaScript v3 and v2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, CLIENT_KINDS, createTestQueue, sleep } from './helpers.mjs';

const ctx = useServer();

const count = (r) => (r.Messages ?? []).length;

for (const kind of CLIENT_KINDS) {
  describe(`long polling via JSON (${kind})`, () => {
    const c = () => ctx.client(kind);
    // A second client, as another process would be: a send must wake a poll it did not make.
    const other = () => ctx.client(kind === 'v3' ? 'v2' : 'v3');

    test('a waiting receive returns soon after another client sends', async (t) => {
      const q = await createTestQueue(t, c());
      const t0 = Date.now();
      const pending = c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 5 });
      await sleep(500);
      await other().call('SendMessage', { QueueUrl: q.url, MessageBody: 'wake up' });
      const r = await pending;
      const elapsed = Date.now() - t0;
      assert.equal(count(r), 1);
      assert.equal(r.Messages[0].Body, 'wake up');
      assert.ok(elapsed < 1500, `returned after ${elapsed} ms; expected ~500 ms`);
    });

    test('an empty long poll returns after about the wait time', async (t) => {
      const q = await createTestQueue(t, c());
      const t0 = Date.now();
      const r = await c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 2 });
      const elapsed = Date.now() - t0;
      assert.equal(count(r), 0);
      assert.ok(elapsed >= 1900 && elapsed < 3500, `returned after ${elapsed} ms; expected ~2000 ms`);
    });

    test('the queue ReceiveMessageWaitTimeSeconds applies when the receive gives none', async (t) => {
      const q = await createTestQueue(t, c(), { attributes: { ReceiveMessageWaitTimeSeconds: '2' } });
      let t0 = Date.now();
      await c().call('ReceiveMessage', { QueueUrl: q.url });
      let elapsed = Date.now() - t0;
      assert.ok(elapsed >= 1900 && elapsed < 3500, `default wait: ${elapsed} ms`);
      // An explicit 0 overrides the queue default: a short poll.
      t0 = Date.now();
      await c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 0 });
      elapsed = Date.now() - t0;
      assert.ok(elapsed < 1000, `explicit 0: ${elapsed} ms`);
    });

    test('a message that becomes visible during the wait ends the poll', async (t) => {
      const q = await createTestQueue(t, c());
      await c().call('SendMessage', { QueueUrl: q.url, MessageBody: 'delayed', DelaySeconds: 1 });
      const t0 = Date.now();
      const r = await c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 5 });
      const elapsed = Date.now() - t0;
      assert.equal(count(r), 1, 'the delayed message arrives within the wait');
      assert.ok(elapsed < 3000, `returned after ${elapsed} ms; expected ~1000 ms`);
    });

    test('several pollers share a burst without duplicates', async (t) => {
      const q = await createTestQueue(t, c());
      const pollers = Array.from({ length: 6 }, () =>
        c().call('ReceiveMessage', { QueueUrl: q.url, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
      await sleep(300);
      const t0 = Date.now();
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `burst-${i}` }));
      await other().call('SendMessageBatch', { QueueUrl: q.url, Entries: entries });
      const results = await Promise.all(pollers);
      const elapsed = Date.now() - t0;
      const bodies = results.flatMap((r) => (r.Messages ?? []).map((m) => m.Body));
      assert.equal(new Set(bodies).size, bodies.length, 'no message delivered twice');
      // Pollers that got nothing wait out their 5 s; at least one must have been woken early.
      assert.ok(bodies.length >= 1, 'some poller got messages');
      assert.ok(elapsed < 6500, `all pollers done after ${elapsed} ms`);
      // Whatever the pollers did not take is still there.
      const rest = [];
      for (let i = 0; i < 5 && bodies.length + rest.length < 10; i++) {
        const r = await c().call('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
        rest.push(...(r.Messages ?? []).map((m) => m.Body));
      }
      assert.deepEqual([...bodies, ...rest].sort(), entries.map((e) => e.MessageBody).sort());
    });
  });
}
