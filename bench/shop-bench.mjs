#!/usr/bin/env node
// bench/shop-bench.mjs: orders/s of the shop, end to end, for the C++ services (apps/shop) and
// the tutorial's Node stack (bench/shop-node: Express + aws-sdk v2 + sqs-consumer), both on the
// same fresh `tern serve` (issue 7).
//
//   node bench/shop-bench.mjs [--orders N] [--connections C] [--users U] [--warmup W]
//                             [--stacks cpp,node] [--durability sync|async|memory]
//                             [--timeout S] [--env NAME=VALUE]... [--json] [--keep]
//
// One broker (`tern serve`, sync durability by default, a temp data dir, a free 127.0.0.1 port)
// serves both stacks, one after the other, each with its own queues (<stack>-mileage and
// <stack>-product-tracking, each with a DLQ after 5 receives, as apps/shop/run.sh makes them).
// For each stack: write the tutorial's .env, start purchase, mileage and tracking, post W
// warm-up orders and wait for them, then post N orders over C keep-alive connections
// (closed loop) and wait until every order has both its mileage and its tracking
// record. Done is observed on the services' own stdout: both stacks print the tutorial's
// `newMileage: <value>` and `productTrackingId: <id>` lines (the C++ services print them after
// their SQLite commit). Then every order is checked: each tracking id printed exactly once;
// for C++ each user's balance and order count from GET /mileage/<user>; for Node the printed
// mileages equal accumulated + 2% of each price.
//
// Reports per stack: accepted orders/s (N / time until the last HTTP answer), completed
// orders/s (N / time until the last order's second record), accept latency p50/p90/p99/max,
// HTTP errors, CPU seconds per process (broker, purchase, mileage, tracking, this driver), and
// the C++ ÷ Node ratios. --env adds a line to both stacks' .env (experiments: SHOP_CONCURRENCY=40,
// AWS_NODEJS_CONNECTION_REUSE_ENABLED=1, ...); a setting only one stack reads leaves the other
// alone. --json prints the whole result as JSON on stdout (progress on stderr).
//
// Environment: TERN_BIN (default build/bin/tern), SHOP_BIN_DIR (default: TERN_BIN's directory).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Options

const opts = {
  orders: 10000,
  connections: 64,
  users: 100,
  warmup: 500,
  stacks: ['cpp', 'node'],
  durability: 'sync',
  timeout: 600,
  json: false,
  keep: false,
  env: [],
};
{
  const args = process.argv.slice(2);
  const num = (v, name) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) usage(`${name} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => {
      if (i + 1 >= args.length) usage(`${a} needs a value`);
      return args[++i];
    };
    switch (a) {
      case '--orders': opts.orders = num(next(), a); break;
      case '--connections': opts.connections = num(next(), a); break;
      case '--users': opts.users = num(next(), a); break;
      case '--warmup': opts.warmup = num(next(), a); break;
      case '--stacks': opts.stacks = next().split(',').filter(Boolean); break;
      case '--durability': opts.durability = next(); break;
      case '--timeout': opts.timeout = num(next(), a); break;
      case '--json': opts.json = true; break;
      case '--keep': opts.keep = true; break;
      case '--env': opts.env.push(next()); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown option ${a}`);
    }
  }
  if (opts.orders < 1 || opts.connections < 1 || opts.users < 1) usage('orders, connections and users must be > 0');
  for (const s of opts.stacks) if (!['cpp', 'node'].includes(s)) usage(`unknown stack ${s}`);
}
function usage(error) {
  const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
  const text = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')))
    .map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
  if (error) console.error(`shop-bench: ${error}\n`);
  console.error(text);
  process.exit(error ? 2 : 0);
}

// Absolute: the processes start in their own temp directories.
const TERN_BIN = path.resolve(process.env.TERN_BIN || path.join(repo, 'build', 'bin', 'tern'));
const SHOP_BIN_DIR = path.resolve(process.env.SHOP_BIN_DIR || path.dirname(TERN_BIN));
const log = (...a) => console.error('shop-bench:', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const STACKS = {
  cpp: {
    label: 'C++ services (apps/shop)',
    command: (svc) => [path.join(SHOP_BIN_DIR, `shop-${svc}`), []],
  },
  node: {
    label: "tutorial's Node stack (bench/shop-node)",
    command: (svc) => [process.execPath, [path.join(repo, 'bench', 'shop-node', `${svc}.cjs`)]],
  },
};

// ---------------------------------------------------------------------------------------------
// Processes

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-shop-bench-'));
const live = new Set();
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

// Starts a process; counts the tutorial's lines on its stdout as they arrive.
function start(name, file, args, { cwd, env, onLine }) {
  const proc = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { name, proc, tail: '', firstLine: null, exited: null };
  live.add(p);
  let partial = '';
  let resolveFirst;
  p.firstLine = new Promise((r) => { resolveFirst = r; });
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop();
    for (const l of parts) {
      resolveFirst(l);
      onLine?.(l);
    }
  });
  proc.on('error', (e) => { p.tail += `\n${e.message}`; });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { p.tail = (p.tail + d).slice(-4000); });
  p.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    live.delete(p);
    resolveFirst(null);
    resolve(code ?? signal);
  }));
  p.stop = async (signal = 'SIGTERM', ms = 30000) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), ms);
    const code = await p.exited;
    clearTimeout(t);
    return code;
  };
  return p;
}

// CPU seconds (user + system) a process has used so far.
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;  // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitPort(port, p, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (p.proc.exitCode !== null) throw new Error(`${p.name} exited: ${p.tail}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${p.name} not listening on ${port}: ${p.tail}`);
}

// ---------------------------------------------------------------------------------------------
// The broker

let endpoint;
async function sqs(action, body) {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${action}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function createQueues(stack) {
  const urls = {};
  for (const q of ['mileage', 'product-tracking']) {
    const dlq = (await sqs('CreateQueue', { QueueName: `${stack}-${q}-dlq` })).QueueUrl;
    const arn = (await sqs('GetQueueAttributes', { QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
      .Attributes.QueueArn;
    urls[q] = (await sqs('CreateQueue', {
      QueueName: `${stack}-${q}`,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }) },
    })).QueueUrl;
  }
  return urls;
}

// ---------------------------------------------------------------------------------------------
// Orders

const money = (cents) => (cents / 100).toFixed(2);
function makeOrder(stack, tag, i) {
  const u = i % opts.users;
  const priceCents = 100000 + ((i * 7919) % 900001);  // 1000.00 .. 10000.00
  const accCents = 450000 + u * 100;  // one opening balance per user
  const o = {
    id: `${stack}-${tag}${i}`, username: `user-${u}`, priceCents, accCents,
    trackingId: `TRK-${stack}-${tag}${i}`,
  };
  o.body = `{"id":"${o.id}","username":"${o.username}","price":${money(priceCents)},` +
    `"mileageAccumulated":${money(accCents)},"trackingId":"${o.trackingId}"}`;
  return o;
}

// The load generator: a minimal HTTP/1.1 client on raw keep-alive sockets (requests serialized
// once, responses framed by Content-Length), so that the driver's own CPU, which shares the two
// cores with everything it measures, stays small (node:http costs ~0.25 ms of CPU per request).
function connection(port) {
  const c = { socket: null, buf: '', pending: null, closed: false };
  c.open = () => new Promise((resolve, reject) => {
    c.socket = net.connect(port, '127.0.0.1');
    c.socket.setNoDelay(true);
    c.socket.setEncoding('latin1');
    c.socket.once('connect', resolve);
    c.socket.once('error', reject);
    c.socket.on('data', (d) => {
      c.buf += d;
      c.parse();
    });
    c.socket.on('close', () => {
      c.closed = true;
      const p = c.pending;
      c.pending = null;
      p?.('reset');
    });
  });
  c.parse = () => {
    if (!c.pending) return;
    const end = c.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = c.buf.slice(0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!m) {
      c.socket.destroy();  // only Content-Length framing is expected from either stack
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (c.buf.length < total) return;
    c.buf = c.buf.slice(total);
    const status = head.slice(9, 12);
    const p = c.pending;
    c.pending = null;
    p(status);
  };
  c.request = (raw) => new Promise((resolve) => {
    c.pending = resolve;
    c.socket.write(raw, 'latin1');
  });
  return c;
}

function rawRequest(port, body) {
  return `POST /purchase HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
}

// Posts the orders over `connections` keep-alive connections (closed loop); latencies in ms.
async function load(port, orders, connections) {
  const lat = new Float64Array(orders.length);
  const statuses = {};
  let next = 0;
  const conns = Array.from({ length: Math.min(connections, orders.length) }, () => connection(port));
  await Promise.all(conns.map((c) => c.open()));
  const t0 = performance.now();
  await Promise.all(conns.map(async (c) => {
    while (next < orders.length) {
      const i = next++;
      if (c.closed) {
        c.buf = '';
        c.closed = false;
        await c.open().catch(() => {});
      }
      const raw = rawRequest(port, orders[i].body);
      const s = performance.now();
      const status = await c.request(raw);
      lat[i] = performance.now() - s;
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }));
  const t1 = performance.now();
  for (const c of conns) c.socket.destroy();
  return { t0, t1, lat, statuses };
}

function percentiles(lat) {
  const a = Float64Array.from(lat).sort();
  const q = (p) => a[Math.min(a.length - 1, Math.floor(p * (a.length - 1)))];
  const r = (v) => Math.round(v * 1000) / 1000;
  return { p50: r(q(0.5)), p90: r(q(0.9)), p99: r(q(0.99)), max: r(a[a.length - 1]) };
}

// ---------------------------------------------------------------------------------------------
// One stack

async function runStack(stack) {
  const def = STACKS[stack];
  const dir = path.join(work, stack);
  fs.mkdirSync(dir);
  const urls = await createQueues(stack);
  const ports = { purchase: await freePort(), mileage: await freePort(), tracking: await freePort() };
  fs.writeFileSync(path.join(dir, '.env'), [
    'AWS_REGION=us-east-1',
    'AWS_ACCESS_KEY_ID=local',
    'AWS_SECRET_ACCESS_KEY=local',
    `AWS_ENDPOINT_URL_SQS=${endpoint}`,
    `AWS_SQS_MILEAGE_URL=${urls.mileage}`,
    `AWS_SQS_PRODUCT_TRACKING_URL=${urls['product-tracking']}`,
    `PORT=${ports.purchase}`,
    `MILEAGE_PORT=${ports.mileage}`,
    `TRACKING_PORT=${ports.tracking}`,
    'SHOP_DATA_DIR=./data',
    ...opts.env,
    '',
  ].join('\n'));

  // What the consumers printed.
  const seen = { mileage: [], tracking: new Map(), doneAt: null, target: 0, mAt: null, tAt: null };
  const check = () => {
    if (seen.mAt === null && seen.target > 0 && seen.mileage.length >= seen.target) seen.mAt = performance.now();
    if (seen.tAt === null && seen.target > 0 && seen.tracking.size >= seen.target) seen.tAt = performance.now();
    if (seen.doneAt === null && seen.target > 0 && seen.mileage.length >= seen.target &&
        seen.tracking.size >= seen.target) {
      seen.doneAt = performance.now();
      seen.onDone?.();
    }
  };
  const onLine = {
    mileage: (l) => {
      if (l.startsWith('newMileage: ')) {
        seen.mileage.push(l.slice(12));
        check();
      }
    },
    tracking: (l) => {
      if (l.startsWith('productTrackingId: ')) {
        const id = l.slice(19);
        seen.tracking.set(id, (seen.tracking.get(id) || 0) + 1);
        check();
      }
    },
  };
  const env = { PATH: process.env.PATH, HOME: dir };
  const procs = {};
  for (const svc of ['purchase', 'mileage', 'tracking']) {
    const [file, args] = def.command(svc);
    procs[svc] = start(`${stack}/${svc}`, file, args, { cwd: dir, env, onLine: onLine[svc] });
  }
  await waitPort(ports.purchase, procs.purchase);
  for (const svc of ['mileage', 'tracking']) {
    const first = await Promise.race([procs[svc].firstLine, sleep(20000).then(() => null)]);
    if (first === null) throw new Error(`${stack}/${svc} did not start: ${procs[svc].tail}`);
  }

  const allOrders = [];
  const phase = async (tag, count) => {
    const orders = Array.from({ length: count }, (_, i) => makeOrder(stack, tag, i));
    allOrders.push(...orders);
    seen.target = allOrders.length;
    const done = new Promise((resolve) => {
      seen.onDone = resolve;
    });
    seen.doneAt = null;
    seen.mAt = null;
    seen.tAt = null;
    const before = allOrders.length - count;
    check();
    const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSeconds(p.proc.pid)]));
    cpu0.broker = cpuSeconds(broker.proc.pid);
    const drv0 = process.cpuUsage();
    const progress = setInterval(() => {
      log(`  ${stack}/${tag}: mileage ${seen.mileage.length - (allOrders.length - count)}, ` +
        `tracking ${seen.tracking.size - (allOrders.length - count)} of ${count}`);
    }, 2000);
    const r = await load(ports.purchase, orders, opts.connections);
    r.atAccept = { mileage: seen.mileage.length - before, tracking: seen.tracking.size - before };
    const finished = await Promise.race([done.then(() => true), sleep(opts.timeout * 1000).then(() => false)]);
    clearInterval(progress);
    const cpu = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSeconds(p.proc.pid) - cpu0[k]]));
    cpu.broker = cpuSeconds(broker.proc.pid) - cpu0.broker;
    const d = process.cpuUsage(drv0);
    cpu.driver = (d.user + d.system) / 1e6;
    return { ...r, finished, doneAt: seen.doneAt, mAt: seen.mAt, tAt: seen.tAt, cpu };
  };

  log(`${stack}: warm-up, ${opts.warmup} orders`);
  if (opts.warmup > 0) {
    const w = await phase('w', opts.warmup);
    if (!w.finished) throw new Error(`${stack}: warm-up orders not all processed`);
  }
  log(`${stack}: ${opts.orders} orders over ${opts.connections} connections`);
  const m = await phase('o', opts.orders);

  // Let late duplicates show up before checking.
  await sleep(500);
  const verify = await verifyStack(stack, allOrders, seen, ports);
  const codes = {};
  for (const [svc, p] of Object.entries(procs)) codes[svc] = await p.stop('SIGTERM');

  const n = opts.orders;
  const accepted = Object.entries(m.statuses).filter(([s]) => /^2\d\d$/.test(s))
    .reduce((a, [, c]) => a + c, 0);
  const acceptS = (m.t1 - m.t0) / 1000;
  const completeS = m.finished ? (m.doneAt - m.t0) / 1000 : null;
  const r2 = (v) => (v === null ? null : Math.round(v * 100) / 100);
  const cpu = Object.fromEntries(Object.entries(m.cpu).map(([k, v]) => [k, r2(v)]));
  const result = {
    stack,
    label: def.label,
    orders: n,
    connections: opts.connections,
    users: opts.users,
    accepted,
    http_statuses: m.statuses,
    accept_s: r2(acceptS),
    accepted_per_s: r2(accepted / acceptS),
    complete_s: r2(completeS),
    completed_per_s: completeS ? r2(n / completeS) : null,
    // Where the pipeline stood when the last HTTP answer came, and when each consumer finished.
    done_at_accept: m.atAccept,
    mileage_done_s: m.mAt === null ? null : r2((m.mAt - m.t0) / 1000),
    tracking_done_s: m.tAt === null ? null : r2((m.tAt - m.t0) / 1000),
    accept_latency_ms: percentiles(m.lat),
    cpu_s: cpu,
    cpu_ms_per_order: r2(Object.values(m.cpu).reduce((a, b) => a + b, 0) * 1000 / n),
    verified: verify.ok,
    verify_errors: verify.errors.slice(0, 10),
    exit_codes: codes,
  };
  // A headline field in the shape of the other bench/compare rows.
  result.msgs_per_s = result.completed_per_s;
  return result;
}

async function getJson(url) {
  const res = await fetch(url);
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function verifyStack(stack, orders, seen, ports) {
  const errors = [];
  // Every order's tracking id exactly once.
  const want = new Set(orders.map((o) => o.trackingId));
  for (const o of orders) {
    const c = seen.tracking.get(o.trackingId) || 0;
    if (c !== 1) errors.push(`tracking ${o.trackingId} recorded ${c} times`);
  }
  for (const id of seen.tracking.keys()) if (!want.has(id)) errors.push(`unexpected tracking ${id}`);
  if (seen.mileage.length !== orders.length) {
    errors.push(`${seen.mileage.length} mileage records for ${orders.length} orders`);
  }
  if (stack === 'cpp') {
    // The services' own read API: balances and order counts per user.
    const model = new Map();
    for (const o of orders) {
      const m = model.get(o.username) || { balance: o.accCents, orders: 0 };
      m.balance += Math.floor((o.priceCents * 2 + 50) / 100);
      m.orders += 1;
      model.set(o.username, m);
    }
    for (const [u, m] of model) {
      const { status, json } = await getJson(`http://127.0.0.1:${ports.mileage}/mileage/${u}`);
      if (status !== 200 || json.balance !== money(m.balance) || json.orders !== m.orders) {
        errors.push(`mileage of ${u}: want ${money(m.balance)} over ${m.orders} orders, got ` +
          `${status} ${json && `${json.balance} over ${json.orders}`}`);
      }
    }
    const sample = orders.filter((_, i) => i % Math.max(1, Math.floor(orders.length / 50)) === 0);
    for (const o of sample) {
      const { status, json } = await getJson(`http://127.0.0.1:${ports.tracking}/tracking/${o.trackingId}`);
      if (status !== 200 || json.orderId !== o.id) errors.push(`GET /tracking/${o.trackingId}: ${status}`);
    }
  } else {
    // The tutorial's figure: accumulated + 2% of the price, per message, in JS numbers.
    const expected = orders.map((o) => {
      const { price, mileageAccumulated } = JSON.parse(o.body);
      return String(Number(mileageAccumulated) + Number(price) * 0.02);
    }).sort();
    const got = [...seen.mileage].sort();
    const bad = expected.findIndex((v, i) => v !== got[i]);
    if (bad >= 0) errors.push(`mileage values differ: want ${expected[bad]}, got ${got[bad]}`);
  }
  return { ok: errors.length === 0, errors };
}

// ---------------------------------------------------------------------------------------------
// Main

let broker;
async function main() {
  for (const f of [TERN_BIN, ...(opts.stacks.includes('cpp')
    ? ['purchase', 'mileage', 'tracking'].map((s) => path.join(SHOP_BIN_DIR, `shop-${s}`)) : [])]) {
    if (!fs.existsSync(f)) throw new Error(`${f} missing: build first (scripts/build)`);
  }
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  broker = start('tern', TERN_BIN, ['serve', '--host', '127.0.0.1', '--port', String(port),
    '--durability', opts.durability, '--data-dir', path.join(work, 'tern-data')],
  { cwd: work, env: { PATH: process.env.PATH, HOME: work } });
  await waitPort(port, broker);
  log(`tern serve --durability ${opts.durability} on ${endpoint}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const out = {
    date: new Date().toISOString(),
    config: {
      orders: opts.orders, connections: opts.connections, users: opts.users, warmup: opts.warmup,
      durability: opts.durability, stacks: opts.stacks,
    },
    machine: { nproc: os.cpus().length, loadavg_start: os.loadavg() },
    versions: {
      node: process.version,
      express: readVersion('express'),
      'aws-sdk': readVersion('aws-sdk'),
      'sqs-consumer': readVersion('sqs-consumer'),
      '@aws-sdk/client-sqs': readVersion('@aws-sdk/client-sqs'),
    },
    stacks: {},
  };
  for (const s of opts.stacks) {
    out.stacks[s] = await runStack(s);
    const r = out.stacks[s];
    log(`${s}: accepted ${r.accepted_per_s}/s, completed ${r.completed_per_s}/s, accept p50 ` +
      `${r.accept_latency_ms.p50} ms p99 ${r.accept_latency_ms.p99} ms, ` +
      `${r.verified ? 'verified' : `NOT verified: ${r.verify_errors.join('; ')}`}`);
  }
  out.machine.loadavg_end = os.loadavg();
  await broker.stop('SIGTERM');
  const { cpp, node } = out.stacks;
  if (cpp && node) {
    const div = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
    out.ratio = {
      accepted_per_s: div(cpp.accepted_per_s, node.accepted_per_s),
      completed_per_s: div(cpp.completed_per_s, node.completed_per_s),
    };
  }
  printTable(out);
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  const ok = Object.values(out.stacks).every((r) => r.verified && r.completed_per_s);
  return ok ? 0 : 1;
}

function readVersion(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function printTable(out) {
  const rows = Object.values(out.stacks);
  const lines = [
    `shop: ${out.config.orders} orders, ${out.config.connections} connections, ${out.config.users} users, tern serve --durability ${out.config.durability}`,
    '| stack | accepted orders/s | completed orders/s | accept p50 | accept p99 | CPU ms/order | verified |',
    '|---|--:|--:|--:|--:|--:|---|',
    ...rows.map((r) => `| ${r.stack} | ${r.accepted_per_s} | ${r.completed_per_s ?? '–'} | ` +
      `${r.accept_latency_ms.p50} ms | ${r.accept_latency_ms.p99} ms | ${r.cpu_ms_per_order} | ${r.verified ? 'yes' : 'NO'} |`),
  ];
  if (out.ratio) lines.push(`C++ ÷ Node: accepted ${out.ratio.accepted_per_s}×, completed ${out.ratio.completed_per_s}×`);
  console.error(lines.join('\n'));
}

const cleanup = async () => {
  await Promise.all([...live].map((p) => p.stop('SIGTERM', 5000)));
  if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
};
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));
main().then(async (code) => {
  await cleanup();
  process.exit(code);
}, async (e) => {
  log(`failed: ${e.stack || e}`);
  await cleanup();
  process.exit(1);
});
