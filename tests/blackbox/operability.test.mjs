// Operability (issue 8), seen from outside: `tern serve --config FILE` creates the queues the
// TOML file declares (attributes, tags, a redrive policy to another declared queue, FIFO), keeps
// them as they are across a restart, and GET /metrics (Prometheus text format 0.0.4) reports
// known activity exactly; a bad config file or variable stops `tern serve` with a non-zero exit
// and a message naming the key; `--print-config` prints TOML that reads back to itself; the
// request log writes one JSON line per request. Tern only. Client: JS v3.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, makeClient, expectSqsError, queueAttrs, skipOn, REPO_ROOT, REGION, ACCOUNT_ID,
} from './helpers.mjs';

const opts = skipOn(['local-aws-sqs', 'fauxqs'], 'Tern features: config file, declared queues, /metrics');
const bin = process.env.TERN_BIN || path.join(REPO_ROOT, 'build', 'bin', 'tern');
const arnOf = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;

function tempDir(t, prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Runs `tern serve ARGS` to completion (it must exit by itself: a bad config, --print-config).
function ternServe(args, { env = {}, timeoutMs = 15000 } = {}) {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, ...env };
    for (const k of Object.keys(childEnv)) {
      if (k.startsWith('TERN_') && !(k in env)) delete childEnv[k];  // only what the test sets
    }
    execFile(bin, ['serve', ...args], { env: childEnv, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

// Parses Prometheus text format 0.0.4 strictly enough to catch a malformed exposition: every
// sample belongs to a family announced by # HELP and # TYPE, values are numbers, no sample twice.
// Returns { samples: Map('name{labels}' -> number), types: Map(name -> type), get(key) }.
function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const samples = new Map();
  const types = new Map();
  const helped = new Set();
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = line.match(/^# HELP (\S+) .+$/))) {
      assert.ok(!helped.has(m[1]), `HELP twice for ${m[1]}`);
      helped.add(m[1]);
      continue;
    }
    if ((m = line.match(/^# TYPE (\S+) (counter|gauge|histogram)$/))) {
      assert.ok(helped.has(m[1]), `TYPE before HELP for ${m[1]}`);
      assert.ok(!types.has(m[1]), `TYPE twice for ${m[1]}`);
      if (m[2] === 'counter') assert.match(m[1], /_total$/, 'counter names end in _total');
      types.set(m[1], m[2]);
      continue;
    }
    m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const [, name, labels = '', value] = m;
    assert.ok(name.startsWith('tern_'), `tern_ prefix: ${name}`);
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = types.get(name) ? name : types.get(base) === 'histogram' ? base : undefined;
    assert.ok(family, `sample before its TYPE: ${line}`);
    const v = value === '+Inf' ? Infinity : Number(value);
    assert.ok(!Number.isNaN(v), `value is not a number: ${line}`);
    const key = name + labels;
    assert.ok(!samples.has(key), `sample twice: ${key}`);
    samples.set(key, v);
  }
  return {
    samples,
    types,
    get(key) {
      assert.ok(samples.has(key), `no sample ${key}`);
      return samples.get(key);
    },
  };
}

async function scrape(endpoint) {
  const res = await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheus(await res.text());
}

function configText(dataDir, extra = '') {
  return `# written by operability.test.mjs
durability = "sync"
data-dir = ${JSON.stringify(dataDir)}
log-format = "json"
request-log = true
${extra}
[[queues]]
name = "ops-src"
attributes = { VisibilityTimeout = 30, MaximumMessageSize = 65536 }
redrive-policy = { dead-letter-queue = "ops-dlq", max-receive-count = 1 }
tags = { team = "ops", env = "test" }

[[queues]]
name = "ops-dlq"
[queues.attributes]
MessageRetentionPeriod = 1209600

[[queues]]
name = "ops-events.fifo"
attributes = { ContentBasedDeduplication = true }
`;
}

describe('tern serve --config: declared queues and /metrics', opts, () => {
  test('declared queues exist with their attributes; /metrics reports known activity', async (t) => {
    const dir = tempDir(t, 'tern-ops-');
    const dataDir = path.join(dir, 'data');
    const config = path.join(dir, 'tern.toml');
    fs.writeFileSync(config, configText(dataDir));
    const server = await startServer({ extraArgs: ['--config', config] });
    t.after(() => server.stop());
    const c = makeClient('v3', server.endpoint);
    t.after(() => c.destroy());
    const url = (name) => `${server.endpoint}/${ACCOUNT_ID}/${name}`;

    // The declared queues, as any client sees them.
    const { QueueUrls } = await c.call('ListQueues', { QueueNamePrefix: 'ops-' });
    assert.deepEqual([...QueueUrls].sort(), [url('ops-dlq'), url('ops-events.fifo'), url('ops-src')]);
    const src = await queueAttrs(c, url('ops-src'));
    assert.equal(src.VisibilityTimeout, '30');
    assert.equal(src.MaximumMessageSize, '65536');
    assert.deepEqual(JSON.parse(src.RedrivePolicy), { deadLetterTargetArn: arnOf('ops-dlq'), maxReceiveCount: 1 });
    assert.equal((await queueAttrs(c, url('ops-dlq'))).MessageRetentionPeriod, '1209600');
    const fifo = await queueAttrs(c, url('ops-events.fifo'));
    assert.equal(fifo.FifoQueue, 'true');
    assert.equal(fifo.ContentBasedDeduplication, 'true');
    assert.deepEqual((await c.call('ListQueueTags', { QueueUrl: url('ops-src') })).Tags, { team: 'ops', env: 'test' });
    assert.deepEqual(
      (await c.call('ListDeadLetterSourceQueues', { QueueUrl: url('ops-dlq') })).queueUrls,
      [url('ops-src')],
    );

    // Known activity: 3 sends (one a batch of 2), one receive of all 3, one delete, one message
    // made visible again and received a second time (past maxReceiveCount 1: moved to the DLQ),
    // one client error.
    const before = await scrape(server.endpoint);
    assert.equal(before.samples.has('tern_requests_total{action="SendMessage",outcome="success"}'), false);
    await c.call('SendMessage', { QueueUrl: url('ops-src'), MessageBody: 'one' });
    await c.call('SendMessageBatch', {
      QueueUrl: url('ops-src'),
      Entries: [{ Id: 'a', MessageBody: 'two' }, { Id: 'b', MessageBody: 'three' }],
    });
    const got = await c.call('ReceiveMessage', { QueueUrl: url('ops-src'), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
    assert.equal(got.Messages?.length, 3);
    await c.call('DeleteMessage', { QueueUrl: url('ops-src'), ReceiptHandle: got.Messages[0].ReceiptHandle });
    await c.call('ChangeMessageVisibility', {
      QueueUrl: url('ops-src'), ReceiptHandle: got.Messages[1].ReceiptHandle, VisibilityTimeout: 0,
    });
    const again = await c.call('ReceiveMessage', { QueueUrl: url('ops-src'), MaxNumberOfMessages: 10 });
    assert.equal(again.Messages, undefined, 'the message went to the DLQ instead');
    await expectSqsError(c.call('GetQueueUrl', { QueueName: 'ops-missing' }), { code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await c.call('SendMessage', { QueueUrl: url('ops-events.fifo'), MessageBody: 'e', MessageGroupId: 'g' });
    await c.call('SendMessage', { QueueUrl: url('ops-events.fifo'), MessageBody: 'e', MessageGroupId: 'g' });  // deduplicated

    const m = await scrape(server.endpoint);
    const q = (metric, queue, extra = '') => m.get(`${metric}{queue="${queue}"${extra}}`);
    assert.equal(m.get('tern_queues'), 3);
    assert.equal(q('tern_queue_messages', 'ops-src', ',state="visible"'), 0);
    assert.equal(q('tern_queue_messages', 'ops-src', ',state="in_flight"'), 1);
    assert.equal(q('tern_queue_messages', 'ops-src', ',state="delayed"'), 0);
    assert.equal(q('tern_queue_messages', 'ops-dlq', ',state="visible"'), 1);
    assert.equal(q('tern_queue_messages', 'ops-events.fifo', ',state="visible"'), 1);
    assert.equal(q('tern_queue_messages_sent_total', 'ops-src'), 3);
    assert.equal(q('tern_queue_messages_sent_total', 'ops-dlq'), 0);
    assert.equal(q('tern_queue_messages_sent_total', 'ops-events.fifo'), 1);
    assert.equal(q('tern_queue_messages_received_total', 'ops-src'), 3);
    assert.equal(q('tern_queue_messages_deleted_total', 'ops-src'), 1);
    assert.equal(q('tern_queue_dead_letter_moves_total', 'ops-src'), 1);
    assert.equal(q('tern_queue_messages_expired_total', 'ops-src'), 0);
    assert.ok(q('tern_queue_oldest_message_age_seconds', 'ops-src') >= 0);
    assert.ok(q('tern_queue_oldest_message_age_seconds', 'ops-src') < 60);
    assert.equal(q('tern_queue_oldest_message_age_seconds', 'ops-events.fifo') >= 0, true);

    const req = (action, outcome) => m.get(`tern_requests_total{action="${action}",outcome="${outcome}"}`);
    assert.equal(req('SendMessage', 'success'), 3);
    assert.equal(req('SendMessageBatch', 'success'), 1);
    assert.equal(req('ReceiveMessage', 'success'), 2);
    assert.equal(req('DeleteMessage', 'success'), 1);
    assert.equal(req('ChangeMessageVisibility', 'success'), 1);
    assert.equal(req('GetQueueUrl', 'client_error'), 1);
    assert.equal(req('GetQueueUrl', 'success'), 0);
    assert.equal(req('ListQueues', 'success'), 1);
    assert.equal(m.samples.has('tern_requests_total{action="CreateQueue",outcome="success"}'), false,
      'declared queues are not API requests');
    assert.equal(m.types.get('tern_request_duration_seconds'), 'histogram');
    const recvCount = m.get('tern_request_duration_seconds_count{action="ReceiveMessage"}');
    assert.equal(recvCount, 2);
    assert.equal(m.get('tern_request_duration_seconds_bucket{action="ReceiveMessage",le="+Inf"}'), recvCount);
    // The first receive waited at most 1 s (messages were there); both are well under 25 s.
    assert.equal(m.get('tern_request_duration_seconds_bucket{action="ReceiveMessage",le="25"}'), 2);
    assert.ok(m.get('tern_request_duration_seconds_sum{action="SendMessage"}') > 0);
    assert.equal(m.get('tern_long_polls_waiting'), 0);
    assert.ok(m.get('tern_http_open_connections') >= 1);

    // Storage: the durable log group-committed these writes.
    assert.ok(m.get('tern_storage_segments') >= 1);
    assert.ok(m.get('tern_storage_disk_usage_bytes') > 0);
    assert.ok(m.get('tern_storage_records_appended_total') >= 10);
    assert.ok(m.get('tern_storage_fsync_duration_seconds_count') >= 1);
    assert.equal(m.get('tern_storage_fsync_duration_seconds_bucket{le="+Inf"}'),
      m.get('tern_storage_fsync_duration_seconds_count'));
    assert.ok(m.get('tern_storage_group_commit_records_count') >= 1);
    assert.equal(m.get('tern_storage_failed'), 0);
    assert.equal(m.get('tern_storage_compactions_total'), 0);
    // Process.
    assert.ok(m.get('tern_process_resident_memory_bytes') > 1 << 20);
    const start = m.get('tern_process_start_time_seconds');
    assert.ok(Math.abs(start - Date.now() / 1000) < 600, `start time ${start}`);
    assert.ok(m.get('tern_uptime_seconds') >= 0);

    // The request log: one JSON line per request (this test's scrapes included).
    const lines = server.output().split('\n').filter((l) => l.startsWith('{'));
    const requests = lines.map((l) => JSON.parse(l)).filter((o) => o.logger === 'request');
    const sends = requests.filter((r) => r.action === 'SendMessage');
    assert.equal(sends.length, 3);
    for (const r of sends) {
      assert.equal(r.method, 'POST');
      assert.equal(r.status, 200);
      assert.ok(r.bytes_in > 0 && r.bytes_out > 0 && r.duration_ms >= 0);
    }
    assert.equal(requests.filter((r) => r.path === '/metrics' && r.status === 200).length >= 1, true);
    assert.ok(requests.some((r) => r.action === 'GetQueueUrl' && r.status === 400));
  });

  test('a restart leaves existing declared queues as they are', async (t) => {
    const dir = tempDir(t, 'tern-ops-restart-');
    const dataDir = path.join(dir, 'data');
    const config = path.join(dir, 'tern.toml');
    fs.writeFileSync(config, configText(dataDir));
    let server = await startServer({ extraArgs: ['--config', config] });
    let c = makeClient('v3', server.endpoint);
    const url = (name) => `${server.endpoint}/${ACCOUNT_ID}/${name}`;
    await c.call('SetQueueAttributes', { QueueUrl: url('ops-src'), Attributes: { VisibilityTimeout: '99' } });
    await c.call('SendMessage', { QueueUrl: url('ops-src'), MessageBody: 'kept' });
    c.destroy();
    assert.equal(await server.stop(), 0);

    server = await startServer({ extraArgs: ['--config', config] });
    t.after(() => server.stop());
    c = makeClient('v3', server.endpoint);
    t.after(() => c.destroy());
    const url2 = (name) => `${server.endpoint}/${ACCOUNT_ID}/${name}`;
    const attrs = await queueAttrs(c, url2('ops-src'));
    assert.equal(attrs.VisibilityTimeout, '99', 'the client\'s change survives the declaration');
    assert.equal(attrs.ApproximateNumberOfMessages, '1');
    const out = server.output();
    assert.match(out, /declared queue ops-src exists; left as it is/);
    assert.match(out, /VisibilityTimeout = 99; the declaration says 30/);
    const m = await scrape(server.endpoint);
    assert.equal(m.get('tern_queue_messages{queue="ops-src",state="visible"}'), 1);
    assert.equal(m.get('tern_queue_messages_sent_total{queue="ops-src"}'), 0, 'counters start at zero per process');
  });
});

describe('tern serve: bad configuration and --print-config', opts, () => {
  const cases = [
    { name: 'port out of range', text: 'port = 70000\n', want: /tern\.toml:1:8: port: 70000 is out of range/ },
    { name: 'unknown key', text: 'log-level = "info"\nprot = 1\n', want: /tern\.toml:2:1: unknown key "prot"/ },
    { name: 'wrong type', text: 'threads = "four"\n', want: /tern\.toml:1:11: threads: expected an integer, got a string/ },
    { name: 'unknown durability', text: 'durability = "fast"\n', want: /durability: "fast" is not one of sync, async, memory/ },
    { name: 'TOML syntax', text: 'port = = 1\n', want: /tern\.toml:1:/ },
    {
      name: 'bad queue attribute',
      text: '\n[[queues]]\nname = "q"\nattributes = { VisibilityTimeout = 50000 }\n',
      want: /tern\.toml:2:1: queue "q": InvalidAttributeValue: .*VisibilityTimeout/,
    },
    {
      name: 'redrive to an undeclared queue',
      text: '[[queues]]\nname = "q"\nredrive-policy = { dead-letter-queue = "nowhere", max-receive-count = 2 }\n',
      want: /queue "q": redrive-policy\.dead-letter-queue "nowhere" is not a declared queue/,
    },
  ];
  for (const c of cases) {
    test(`a bad config file stops tern serve: ${c.name}`, async (t) => {
      const dir = tempDir(t, 'tern-badcfg-');
      const file = path.join(dir, 'tern.toml');
      fs.writeFileSync(file, c.text);
      const r = await ternServe(['--config', file, '--port', '0', '--data-dir', path.join(dir, 'data')]);
      assert.equal(r.signal, null, `tern serve kept running: ${r.stderr}`);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.want);
      assert.ok(r.stderr.includes(file), `the message names the file: ${r.stderr}`);
      assert.equal(fs.existsSync(path.join(dir, 'data')), false, 'nothing was written');
    });
  }

  test('an unreadable config file and a bad variable stop tern serve, naming them', async (t) => {
    const dir = tempDir(t, 'tern-badcfg-');
    const missing = path.join(dir, 'missing.toml');
    let r = await ternServe(['--config', missing, '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot read config file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: No such file`));
    r = await ternServe(['--port', '0', '--durability', 'memory'], { env: { TERN_THREADS: 'many' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /TERN_THREADS=many: threads: expected an integer/);
    r = await ternServe(['--port', '0'], { env: { TERN_CONFIG: missing } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot read config file/);
  });

  test('examples/tern.toml (what scripts/run uses) is a valid config', async () => {
    const r = await ternServe(['--config', path.join(REPO_ROOT, 'examples', 'tern.toml'), '--print-config']);
    assert.equal(r.code, 0, r.stderr);
    const names = [...r.stdout.matchAll(/^name = "([^"]+)"$/gm)].map((x) => x[1]);
    assert.deepEqual(names, ['mileage-dlq', 'mileage', 'product-tracking-dlq', 'product-tracking']);
  });

  test('--print-config prints the effective config, which reads back to itself', async (t) => {
    const dir = tempDir(t, 'tern-printcfg-');
    const file = path.join(dir, 'tern.toml');
    fs.writeFileSync(file, configText(path.join(dir, 'data'), 'port = 9999\nregion = "eu-west-1"\n'));
    const first = await ternServe(['--config', file, '--print-config', '--port', '1234'],
      { env: { TERN_LOG_LEVEL: 'debug', TERN_REGION: 'ap-south-1' } });
    assert.equal(first.code, 0, first.stderr);
    const printed = first.stdout;
    assert.match(printed, /^port = 1234$/m, 'flag over file');
    assert.match(printed, /^log-level = "debug"$/m, 'environment over default');
    assert.match(printed, /^region = "ap-south-1"$/m, 'environment over file');
    assert.match(printed, /^request-log = true$/m, 'file over default');
    assert.match(printed, /^durability = "sync"$/m);
    // Dead-letter queue first: the order they are created in.
    const names = [...printed.matchAll(/^name = "([^"]+)"$/gm)].map((x) => x[1]);
    assert.deepEqual(names, ['ops-dlq', 'ops-src', 'ops-events.fifo']);
    assert.ok(!fs.existsSync(path.join(dir, 'data')), '--print-config starts nothing');

    const again = path.join(dir, 'printed.toml');
    fs.writeFileSync(again, printed);
    const second = await ternServe(['--config', again, '--print-config']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, printed);
  });
});
