// Shared machinery for the black-box suite: start the server under test on a free loopback
// port, build the official clients against it, and small assertion helpers.
//
// Target selection (env):
//   SQS_TARGET=tern           (default) spawn `$TERN_BIN serve --host 127.0.0.1 --port P ...`
//                             TERN_BIN defaults to <repo>/build/bin/tern; TERN_ARGS adds args.
//   SQS_TARGET=local-aws-sqs  run the npm emulator `local-aws-sqs` in a child process.
// Only 127.0.0.1 is ever contacted.

import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as v3 from '@aws-sdk/client-sqs';

// aws-sdk v2 prints a maintenance-mode banner on load; it is noise in test output.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
// v3 warns that releases after January 2027 need Node 22; this machine has Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const require = createRequire(import.meta.url);
const AWS = require('aws-sdk');

export { v3, AWS };

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');

export const TARGET = process.env.SQS_TARGET || 'tern';
if (!['tern', 'local-aws-sqs', 'fauxqs'].includes(TARGET)) {
  throw new Error(`SQS_TARGET must be 'tern', 'local-aws-sqs' or 'fauxqs', not '${TARGET}'`);
}
export const IS_TERN = TARGET === 'tern';
export const IS_LOCAL_AWS_SQS = TARGET === 'local-aws-sqs';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
// Dummy credentials: the clients need some to sign with. Overridable for a server configured
// with specific keys.
export const ACCESS_KEY_ID = process.env.TEST_ACCESS_KEY_ID || 'AKIDEXAMPLE';
export const SECRET_ACCESS_KEY =
  process.env.TEST_SECRET_ACCESS_KEY || 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Test options for a check where the emulator is known to deviate from AWS (the spec). The test
// still runs and asserts AWS behaviour, but under local-aws-sqs a failure is reported as TODO
// instead of failing the suite. `reason` says what the emulator does instead.
export function deviation(reason, targets = ['local-aws-sqs']) {
  return targets.includes(TARGET) ? { todo: `known ${TARGET} deviation: ${reason}` } : {};
}

// Test options that skip a test on a target (feature that target does not have at all).
export function skipOn(targets, reason) {
  return targets.includes(TARGET) ? { skip: reason } : {};
}

// ---------------------------------------------------------------------------------------------
// Ports and server processes

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ternBin() {
  return process.env.TERN_BIN || path.join(REPO_ROOT, 'build', 'bin', 'tern');
}

async function waitForHttp(url, proc, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `server exited early (code ${proc.exitCode}, signal ${proc.signalCode}):\n${output()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      lastErr = new Error(`HTTP ${res.status}`);
    } catch (e) {
      lastErr = e;
    }
    await sleep(50);
  }
  throw new Error(`server not ready after ${timeoutMs} ms (${lastErr}):\n${output()}`);
}

// Starts the server under test. Returns { endpoint, port, host, proc, stop(), output() }.
// `extraArgs` go to `tern serve` only.
export async function startServer({ extraArgs = [], readyTimeoutMs = 20000 } = {}) {
  const port = await freePort();
  const host = '127.0.0.1';
  const endpoint = `http://${host}:${port}`;
  let out = '';
  const append = (d) => {
    out += d.toString();
    if (out.length > 200000) out = out.slice(-100000);
  };
  let proc;
  let workDir;
  if (IS_TERN) {
    const bin = ternBin();
    if (!fs.existsSync(bin)) {
      throw new Error(`${bin} does not exist: build it (scripts/build) or set TERN_BIN`);
    }
    // A private working directory, so that whatever the server persists stays out of the repo
    // and no two test files share state.
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-blackbox-'));
    const envArgs = (process.env.TERN_ARGS || '').split(/\s+/).filter(Boolean);
    const args = [
      'serve', '--host', host, '--port', String(port),
      '--region', REGION, '--account-id', ACCOUNT_ID,
      ...envArgs, ...extraArgs,
    ];
    proc = spawn(bin, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', append);
    proc.stderr.on('data', append);
    await waitForHttp(`${endpoint}/health`, proc, () => out, readyTimeoutMs);
  } else {
    // fauxqs needs Node >= 22.5 (npm's node@22 in bench/.tools, installed by
    // bench/install-tools) and is started through bench/servers/fauxqs-server.mjs, which makes it
    // listen on 127.0.0.1 only.
    const tools = path.join(REPO_ROOT, 'bench', '.tools', 'node_modules');
    const [exe, script, extra] = TARGET === 'fauxqs'
      ? [path.join(tools, '.bin', 'node'), path.join(REPO_ROOT, 'bench', 'servers', 'fauxqs-server.mjs'),
        [path.join(tools, 'fauxqs', 'dist', 'app.js')]]
      : [process.execPath, path.join(here, 'support', 'local-aws-sqs-server.mjs'), []];
    proc = spawn(exe, [script, String(port), ...extra], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stderr.on('data', append);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${TARGET} not ready:\n${out}`)),
        readyTimeoutMs,
      );
      proc.stdout.on('data', (d) => {
        append(d);
        if (out.includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${TARGET} exited early (${code}):\n${out}`));
      });
    });
  }
  const exited = new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    proc.on('exit', (code, signal) => resolve(code ?? signal));
  });
  let stopped = false;
  async function stop({ timeoutMs = 15000 } = {}) {
    if (stopped) return exited;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(t);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    return code;
  }
  return { endpoint, port, host, proc, stop, exited, output: () => out };
}

// Per test file: start one server in before(), stop it and every client in after().
// Returns a context whose fields are filled in before() runs.
export function useServer(opts) {
  const ctx = {
    server: null,
    endpoint: null,
    port: null,
    clients: new Map(),
    // An SqsClient adapter of the given kind ('v3' or 'v2'), one per kind and server.
    client(kind) {
      if (!this.clients.has(kind)) this.clients.set(kind, makeClient(kind, this.endpoint));
      return this.clients.get(kind);
    },
    queueUrl(name) {
      return `${this.endpoint}/${ACCOUNT_ID}/${name}`;
    },
  };
  before(async () => {
    ctx.server = await startServer(opts);
    ctx.endpoint = ctx.server.endpoint;
    ctx.port = ctx.server.port;
  });
  after(async () => {
    for (const c of ctx.clients.values()) c.destroy();
    ctx.clients.clear();
    if (ctx.server) {
      const code = await ctx.server.stop();
      if (IS_TERN && code !== 0) {
        // Not an assertion failure of any one test, but worth seeing.
        console.error(`tern exited with ${code} after SIGTERM; output:\n${ctx.server.output()}`);
      }
    }
  });
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Clients. Both kinds expose call(op, input) with the SQS model's member names and throw
// SqsError with .code (the Query-protocol code, i.e. what x-amzn-query-error carries),
// .shape (JSON __type shape name, when the client exposes it) and .status (HTTP status).

export class SqsError extends Error {
  constructor({ code, shape, status, message, cause }) {
    super(`${code} (${shape ?? '?'}, HTTP ${status}): ${message}`, { cause });
    this.code = code;
    this.shape = shape;
    this.status = status;
    this.sqsMessage = message;
  }
}

export const CLIENT_KINDS = ['v3', 'v2'];

// An SqsClient adapter outside useServer() (e.g. for a second server, or other credentials:
// `creds` = { accessKeyId, secretAccessKey }, default the suite's keys). Call destroy() when done.
export function makeClient(kind, endpoint, creds = {}) {
  const accessKeyId = creds.accessKeyId ?? ACCESS_KEY_ID;
  const secretAccessKey = creds.secretAccessKey ?? SECRET_ACCESS_KEY;
  if (kind === 'v3') {
    const client = new v3.SQSClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    return {
      kind,
      raw: client,
      async call(op, input = {}) {
        const Cmd = v3[`${op}Command`];
        if (!Cmd) throw new Error(`no v3 command ${op}`);
        let out;
        try {
          out = await client.send(new Cmd(input));
        } catch (e) {
          if (e.$metadata === undefined && !e.$fault) throw e;
          throw new SqsError({
            code: e.Code ?? e.Error?.Code ?? e.name,
            shape: e.name,
            status: e.$metadata?.httpStatusCode ?? e.$response?.statusCode,
            message: e.message,
            cause: e,
          });
        }
        const { $metadata, ...rest } = out;
        Object.defineProperty(rest, '$httpStatus', { value: $metadata?.httpStatusCode });
        return rest;
      },
      destroy() {
        client.destroy();
      },
    };
  }
  if (kind === 'v2') {
    const agent = new (require('node:http').Agent)({ keepAlive: true });
    const client = new AWS.SQS({
      endpoint,
      region: REGION,
      accessKeyId,
      secretAccessKey,
      maxRetries: 0,
      httpOptions: { agent, timeout: 60000 },
    });
    return {
      kind,
      raw: client,
      async call(op, input = {}) {
        const method = op[0].toLowerCase() + op.slice(1);
        if (typeof client[method] !== 'function') throw new Error(`no v2 method ${method}`);
        const req = client[method](input);
        let out;
        try {
          out = await req.promise();
        } catch (e) {
          if (!e.statusCode && !e.code) throw e;
          throw new SqsError({
            code: e.code,
            shape: undefined,
            status: e.statusCode,
            message: e.message,
            cause: e,
          });
        }
        const rest = { ...out };
        Object.defineProperty(rest, '$httpStatus', { value: req.response?.httpResponse?.statusCode });
        return rest;
      },
      destroy() {
        agent.destroy();
      },
    };
  }
  throw new Error(`unknown client kind ${kind}`);
}

// Awaits `promise`, which must reject with an SqsError matching `expected`:
// { code, shape, status } — each checked when given.
export async function expectSqsError(promise, expected, what = '') {
  let err;
  try {
    const res = await promise;
    assert.fail(`${what} expected error ${expected.code} but the call succeeded: ${JSON.stringify(res)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.ok(err instanceof SqsError, `${what} expected an SQS error, got ${err?.stack ?? err}`);
  if (expected.code !== undefined) {
    if (Array.isArray(expected.code)) {
      assert.ok(expected.code.includes(err.code), `${what} code: expected one of ${expected.code}, got ${err.message}`);
    } else {
      assert.equal(err.code, expected.code, `${what} code: got ${err.message}`);
    }
  }
  if (expected.shape !== undefined && err.shape !== undefined) {
    assert.equal(err.shape, expected.shape, `${what} shape: got ${err.message}`);
  }
  if (expected.status !== undefined) {
    assert.equal(err.status, expected.status, `${what} status: got ${err.message}`);
  }
  return err;
}

// ---------------------------------------------------------------------------------------------
// Queues

export function uniqueName(prefix = 'bb') {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
}

// Creates a queue that is deleted when test `t` ends (errors on delete are ignored: the test
// may have deleted it itself).
export async function createTestQueue(t, client, { name = uniqueName(), attributes, tags } = {}) {
  const input = { QueueName: name };
  if (attributes) input.Attributes = attributes;
  if (tags) input.tags = tags;
  const { QueueUrl } = await client.call('CreateQueue', input);
  assert.ok(QueueUrl, 'CreateQueue returned a QueueUrl');
  t.after(async () => {
    try {
      await client.call('DeleteQueue', { QueueUrl });
    } catch {
      // already gone
    }
  });
  return { name, url: QueueUrl };
}

export async function queueAttrs(client, url, names = ['All']) {
  const { Attributes } = await client.call('GetQueueAttributes', {
    QueueUrl: url,
    AttributeNames: names,
  });
  return Attributes ?? {};
}

// Receives until `count` messages have been collected or `timeoutMs` passes (short polls may
// legitimately return fewer than are available).
export async function receiveN(client, url, count, { timeoutMs = 5000, extra = {} } = {}) {
  const got = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const res = await client.call('ReceiveMessage', {
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(10, count - got.length),
      WaitTimeSeconds: 1,
      ...extra,
    });
    got.push(...(res.Messages ?? []));
  }
  return got;
}

// Polls `fn` until it returns a truthy value or the timeout passes; returns the last value.
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let v;
  while (Date.now() < deadline) {
    v = await fn();
    if (v) return v;
    await sleep(intervalMs);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Digests (spec §5)

export const md5 = (data) => crypto.createHash('md5').update(data).digest('hex');

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function lenPrefixed(buf) {
  return Buffer.concat([u32(buf.length), buf]);
}

// MD5OfMessageAttributes per spec §5.2. `attrs` uses the model shape
// {Name: {DataType, StringValue | BinaryValue}}; BinaryValue may be a Buffer/Uint8Array or a
// base64 string.
export function md5OfMessageAttributes(attrs) {
  const names = Object.keys(attrs).sort((a, b) =>
    Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')),
  );
  const parts = [];
  for (const name of names) {
    const a = attrs[name];
    parts.push(lenPrefixed(Buffer.from(name, 'utf8')));
    parts.push(lenPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.StringValue !== undefined && a.StringValue !== null) {
      parts.push(Buffer.from([1]), lenPrefixed(Buffer.from(a.StringValue, 'utf8')));
    } else if (a.BinaryValue !== undefined && a.BinaryValue !== null) {
      const bin =
        typeof a.BinaryValue === 'string' ? Buffer.from(a.BinaryValue, 'base64') : Buffer.from(a.BinaryValue);
      parts.push(Buffer.from([2]), lenPrefixed(bin));
    } else if (a.StringListValues) {
      parts.push(Buffer.from([3]));
      for (const s of a.StringListValues) parts.push(lenPrefixed(Buffer.from(s, 'utf8')));
    } else if (a.BinaryListValues) {
      parts.push(Buffer.from([4]));
      for (const b of a.BinaryListValues) parts.push(lenPrefixed(Buffer.from(b)));
    }
  }
  return md5(Buffer.concat(parts));
}

// Normalizes received message attributes for comparison (binary values as Buffers).
export function normalizeAttrs(attrs) {
  const out = {};
  for (const [k, v] of Object.entries(attrs ?? {})) {
    const n = { DataType: v.DataType };
    if (v.StringValue !== undefined && v.StringValue !== null) n.StringValue = v.StringValue;
    if (v.BinaryValue !== undefined && v.BinaryValue !== null) {
      n.BinaryValue =
        typeof v.BinaryValue === 'string' ? Buffer.from(v.BinaryValue, 'base64') : Buffer.from(v.BinaryValue);
    }
    out[k] = n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP with SigV4 (spec §8), for what the SDKs cannot send (malformed bodies, unknown
// actions) and to look at the wire format itself.

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');

function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Returns headers (including Authorization) for a request. `headers` are the ones to send and
// sign (besides host and x-amz-date).
export function signV4({ method, url, headers = {}, body = '', date = new Date(),
  accessKeyId = ACCESS_KEY_ID, secretAccessKey = SECRET_ACCESS_KEY, region = REGION }) {
  const u = new URL(url);
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host: u.host, 'x-amz-date': amzDate };
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim().replace(/\s+/g, ' ')]));
  const names = Object.keys(lower).sort();
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalUri = u.pathname.split('/').map((seg) => uriEncode(seg)).join('/') || '/';
  const canonicalRequest = [method, canonicalUri, query, canonicalHeaders, signedHeaders, sha256hex(body)].join('\n');
  const scope = `${day}/${region}/sqs/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, day);
  key = hmac(key, region);
  key = hmac(key, 'sqs');
  key = hmac(key, 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(stringToSign).digest('hex');
  const out = { ...headers, 'x-amz-date': amzDate };
  out.authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return out;
}

// A signed raw request. Returns { status, headers, text, json? }.
export async function rawRequest(url, { method = 'POST', headers = {}, body = '', sign = true } = {}) {
  const h = sign ? signV4({ method, url, headers, body }) : headers;
  const res = await fetch(url, {
    method,
    headers: h,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function rawJson(endpoint, op, body, { path = '/', target = `AmazonSQS.${op}`, extraHeaders = {} } = {}) {
  return rawRequest(`${endpoint}${path}`, {
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      'x-amzn-query-mode': 'true',
      ...extraHeaders,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function rawQuery(endpoint, params, { path = '/', method = 'POST' } = {}) {
  const form = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
  if (method === 'GET') return rawRequest(`${endpoint}${path}?${form}`, { method: 'GET' });
  return rawRequest(`${endpoint}${path}`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form,
  });
}

// Extracts the text of the first <tag>…</tag> in an XML string (enough for assertions).
export function xmlText(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  return m ? decodeXml(m[1]) : undefined;
}

export function xmlAll(xml, tag) {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => decodeXml(m[1]));
}

function decodeXml(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// ---------------------------------------------------------------------------------------------
// AWS CLI

export const QUERY_CLI = '/usr/bin/aws'; // Debian's awscli 2.9: query protocol

let pipCliCache;
// The pip AWS CLI v1 (JSON protocol) if one is on PATH; else null.
export async function findPipCli() {
  if (pipCliCache !== undefined) return pipCliCache;
  pipCliCache = null;
  for (const dir of (process.env.PATH || '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, 'aws');
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      continue;
    }
    let real = p;
    try {
      real = fs.realpathSync(p);
    } catch {
      // keep p
    }
    if (real === QUERY_CLI || p === QUERY_CLI) continue;
    const r = await runCli(p, ['--version'], null).catch(() => null);
    const text = r ? `${r.stdout} ${r.stderr}` : '';
    if (/aws-cli\/1\./.test(text)) {
      pipCliCache = { path: p, version: text.trim().split(/\s+/)[0] };
      break;
    }
  }
  return pipCliCache;
}

function cliEnv(creds = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_')) env[k] = v;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: creds.accessKeyId ?? ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey ?? SECRET_ACCESS_KEY,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  });
  return env;
}

function runCli(bin, args, endpoint, { timeoutMs = 60000, credentials } = {}) {
  const full = endpoint
    ? [...args, '--endpoint-url', endpoint, '--region', REGION, '--output', 'json']
    : args;
  return new Promise((resolve) => {
    execFile(bin, full, { env: cliEnv(credentials), timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      let json;
      if (stdout.trim()) {
        try {
          json = JSON.parse(stdout);
        } catch {
          // leave undefined
        }
      }
      const m = stderr.match(/An error occurred \(([^)]+)\)/);
      resolve({ code, stdout, stderr, json, errorCode: m ? m[1] : undefined, args: full });
    });
  });
}

// Runs `aws sqs <args>` against the server. Returns { code, stdout, stderr, json, errorCode }.
// `credentials` = { accessKeyId, secretAccessKey } overrides the suite's keys.
export function awsCli(endpoint, args, { bin = QUERY_CLI, timeoutMs, credentials } = {}) {
  return runCli(bin, ['sqs', ...args], endpoint, { timeoutMs, credentials });
}

// Asserts a CLI call succeeded and returns its parsed JSON output ({} when it printed nothing).
export function cliOk(r) {
  assert.equal(r.code, 0, `aws ${r.args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.json ?? {};
}

export function cliErr(r, code) {
  assert.notEqual(r.code, 0, `aws ${r.args.join(' ')} should have failed; printed ${r.stdout}`);
  assert.equal(r.errorCode, code, `aws ${r.args.join(' ')}: ${r.stderr}`);
}
