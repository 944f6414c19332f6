// Crash test (issue 4): producers and consumers run against the real binary while it is killed
// with SIGKILL at random moments and restarted on the same data directory. After every restart:
//   - every send that was acknowledged (200) is still in the queue, or was received and its
//     DeleteMessage was at least attempted;
//   - no message whose DeleteMessage was acknowledged ever comes back.
// CRASH_CYCLES sets the number of kill/restart cycles (scripts/test: 3; --deep: 20).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep, v3, REPO_ROOT } from '../blackbox/helpers.mjs';

const CYCLES = Number(process.env.CRASH_CYCLES || 3);
const bin = process.env.TERN_BIN || path.join(REPO_ROOT, 'build', 'bin', 'tern');

async function startTern(port, dataDir, durability) {
  const proc = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', String(port),
    '--data-dir', dataDir, '--durability', durability], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) return { proc, stderr: () => err };
    } catch { /* not up yet */ }
    if (proc.exitCode !== null) throw new Error(`tern exited: ${err}`);
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`tern not ready: ${err}`);
}

function client(port) {
  return new v3.SQSClient({
    endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDCRASH', secretAccessKey: 'secret' },
    requestHandler: { requestTimeout: 5000 },
  });
}

async function crashCycles(durability) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-crash-'));
  const acked = new Set();         // acknowledged sends
  const deleteTried = new Set();   // bodies whose delete was sent (outcome unknown or ok)
  const deleted = new Set();       // acknowledged deletes
  let seq = 0;
  const url = `http://127.0.0.1:${port}/000000000000/crash`;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startTern(port, dataDir, durability);
      const sqs = client(port);
      await sqs.send(new v3.CreateQueueCommand({ QueueName: 'crash' }));

      // Verify what survived the previous crash.
      if (cycle > 0) {
        const present = new Set();
        for (;;) {
          const r = await sqs.send(new v3.ReceiveMessageCommand({
            QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 1, WaitTimeSeconds: 0 }));
          if (!r.Messages || r.Messages.length === 0) break;
          for (const m of r.Messages) {
            if (present.has(m.Body)) continue;
            present.add(m.Body);
          }
          if (present.size > acked.size + 1000) break;
        }
        for (const body of acked) {
          if (deleteTried.has(body)) continue;
          assert.ok(present.has(body), `cycle ${cycle}: acknowledged send ${body} lost`);
        }
        for (const body of deleted) {
          assert.ok(!present.has(body), `cycle ${cycle}: acknowledged delete ${body} came back`);
        }
        await sleep(1100);  // the verification receives' visibility (1 s) ends
      }

      // Load: 4 producers, 2 consumers, until the kill.
      let running = true;
      const producers = Array.from({ length: 4 }, async () => {
        while (running) {
          const body = `c${cycle}-m${seq++}`;
          try {
            await sqs.send(new v3.SendMessageCommand({ QueueUrl: url, MessageBody: body }));
            acked.add(body);
          } catch { /* outcome unknown: neither acked nor lost */ }
        }
      });
      const consumers = Array.from({ length: 2 }, async () => {
        while (running) {
          let r;
          try {
            r = await sqs.send(new v3.ReceiveMessageCommand({
              QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 1 }));
          } catch { continue; }
          for (const m of r.Messages || []) {
            if (Math.random() < 0.2) continue;  // leave some in flight
            deleteTried.add(m.Body);
            try {
              await sqs.send(new v3.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
              deleted.add(m.Body);
            } catch { /* unknown */ }
          }
        }
      });
      await sleep(300 + Math.random() * 1200);
      server.proc.kill('SIGKILL');
      running = false;
      await Promise.allSettled([...producers, ...consumers]);
      await new Promise((r) => (server.proc.exitCode !== null || server.proc.signalCode !== null
        ? r() : server.proc.on('exit', r)));
      sqs.destroy();
    }
    assert.ok(acked.size > 0, 'the load generated acknowledged sends');
    assert.ok(deleted.size > 0, 'the load generated acknowledged deletes');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test(`SIGKILL ${CYCLES} times under load (sync): nothing acknowledged lost, no delete resurrected`,
  { timeout: 60000 + CYCLES * 15000 }, async () => {
    await crashCycles('sync');
  });

test(`SIGKILL ${CYCLES} times under load (async): nothing acknowledged lost on a process crash`,
  { timeout: 60000 + CYCLES * 15000 }, async () => {
    // async mode promises durability against a process crash (writes reached the OS), not a
    // power loss; SIGKILL is the former.
    await crashCycles('async');
  });
