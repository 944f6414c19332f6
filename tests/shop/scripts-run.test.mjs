// The README's first command, as a user runs it: `scripts/run` builds (nothing to do here: the
// test run built already), starts tern serve with examples/tern.toml and the three shop services,
// and the tutorial's order flows through: POST /purchase -> mileage 4500 + 2% of 10000 = 4700,
// tracking id recorded. Then SIGTERM stops everything. Ports and directories are the script's
// documented environment overrides, so the test never touches 9324/3000-3002 or ./tern-data.
//
// Runs once per `scripts/test` (with the tern target): it starts its own broker, whatever
// SQS_TARGET says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, IS_TERN, freePort, waitFor } from '../blackbox/helpers.mjs';

async function getJson(url, init) {
  try {
    const res = await fetch(url, init);
    return { status: res.status, body: await res.json().catch(() => null) };
  } catch {
    return null;
  }
}

test('scripts/run starts the broker, its dashboard and the shop; an order flows end to end',
  { skip: !IS_TERN && 'scripts/run always runs Tern; covered by the tern target run', timeout: 180000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-scripts-run-'));
    const [ternPort, port, mileagePort, trackingPort] =
      [await freePort(), await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      TERN_PORT: String(ternPort), TERN_DATA_DIR: path.join(work, 'tern-data'),
      SHOP_DIR: path.join(work, 'shop'), PORT: String(port),
      MILEAGE_PORT: String(mileagePort), TRACKING_PORT: String(trackingPort),
      TERN_DEPS_DONE: '1',
    };
    // Its own process group, so that the SIGTERM reaches the script and everything it started.
    const child = spawn(path.join(REPO_ROOT, 'scripts', 'run'), [],
      { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      const broker = `http://127.0.0.1:${ternPort}`;
      const up = await waitFor(async () => {
        const r = await getJson(`http://127.0.0.1:${port}/health`);
        return r && r.status === 200;
      }, { timeoutMs: 120000, intervalMs: 250 });
      assert.ok(up, `the shop did not come up; output:\n${out}`);
      assert.match(out, new RegExp(`Tern dashboard: +${broker}/ui`));

      const ui = await fetch(`${broker}/ui/`);
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /<html/i);
      const metrics = await (await fetch(`${broker}/metrics`)).text();
      assert.match(metrics, /^tern_queue_messages\{queue="mileage",state="visible"\}/m);

      const order = { id: 'run-1', username: 'kim', price: 10000, mileageAccumulated: 4500, trackingId: 'TRK-42' };
      const placed = await getJson(`http://127.0.0.1:${port}/purchase`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order),
      });
      assert.ok(placed && placed.status >= 200 && placed.status < 300, `purchase: ${JSON.stringify(placed)}`);

      const mileage = await waitFor(async () => {
        const r = await getJson(`http://127.0.0.1:${mileagePort}/mileage/kim`);
        return r && r.status === 200 ? r.body : null;
      }, { timeoutMs: 20000 });
      assert.equal(mileage?.balance, '4700.00', `mileage: ${JSON.stringify(mileage)}`);
      const tracking = await waitFor(async () => {
        const r = await getJson(`http://127.0.0.1:${trackingPort}/tracking/TRK-42`);
        return r && r.status === 200 ? r.body : null;
      }, { timeoutMs: 20000 });
      assert.equal(tracking?.orderId, 'run-1');
    } finally {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const how = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 20000))]);
      if (how === null) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
