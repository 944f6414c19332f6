// Tern dashboard: plain JavaScript, no framework, no build step, nothing fetched but this server.
//
// Data: GET /ui/api/queues every second (depth, rates, history for the charts), GET
// /ui/api/queues/<name>/messages for the peek, and POST /ui/api/sqs for everything SQS can do
// (CreateQueue, PurgeQueue, SendMessage, GetQueueAttributes, StartMessageMoveTask, ...), which the
// server runs through its SQS dispatcher as the signed-in key. The page never builds HTML from
// data: every value (message bodies included) goes in through textContent.
'use strict';

const POLL_MS = 1000;
const WINDOW_MS = 120_000; // the charts show the last two minutes
const PAGE_SIZE = 20;

// ---- DOM helpers --------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
const $ = (sel, root = document) => root.querySelector(sel);
function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

// ---- formatting ---------------------------------------------------------------------------

const numberFormat = new Intl.NumberFormat('en-US');
const fmtInt = (n) => numberFormat.format(n);
function fmtRate(r) {
  if (r == null) return '–';
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1);
  return numberFormat.format(Math.round(r));
}
function fmtSpan(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400 * 2) return `${Math.round(s / 360) / 10} h`.replace('.0 h', ' h');
  return `${Math.round(s / 8640) / 10} days`.replace('.0 days', ' days');
}
function fmtAgo(ms, now) {
  const d = now - ms;
  return d < 1500 ? 'just now' : `${fmtSpan(d)} ago`;
}
function fmtSeconds(value) {
  const s = Number(value);
  if (!Number.isFinite(s)) return value;
  if (s === 0) return '0 s';
  if (s % 86400 === 0) return `${s / 86400} ${s === 86400 ? 'day' : 'days'}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 120) return `${s / 60} min`;
  return `${fmtInt(s)} s`;
}
const fmtTime = (ms) => new Date(ms).toLocaleString();
const fmtBytes = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`);

// ---- server calls -------------------------------------------------------------------------

class ApiError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(body.error || `HTTP ${res.status}`, body.message || res.statusText, res.status);
  return body;
}

// One SQS call in the JSON 1.0 protocol, through the dashboard's authenticated door.
async function sqs(action, params = {}) {
  const res = await fetch('/ui/api/sqs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${action}` },
    body: JSON.stringify(params),
  });
  const text = await res.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text };
  }
  if (!res.ok) {
    const type = String(body.__type || body.error || `HTTP ${res.status}`).split('#').pop();
    throw new ApiError(type, body.message || body.Message || res.statusText, res.status);
  }
  return body;
}

// ---- shared state and polling -------------------------------------------------------------

const state = {
  info: null,
  queues: [],
  byName: new Map(),
  now: Date.now(),
  loaded: false,
  view: null,
};

let pollTimer = null;
async function poll() {
  clearTimeout(pollTimer);
  try {
    const data = await getJson('/ui/api/queues');
    state.queues = data.queues;
    state.byName = new Map(data.queues.map((q) => [q.name, q]));
    state.now = data.now_ms;
    state.loaded = true;
    setLive(true);
    state.view?.update();
  } catch (e) {
    setLive(false, e);
  }
  if (!document.hidden) pollTimer = setTimeout(poll, POLL_MS);
}
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) poll();
});

function setLive(ok, err) {
  const live = $('#live');
  live.classList.toggle('ok', ok);
  live.classList.toggle('down', !ok);
  setText($('#live-text'), ok ? 'live' : 'offline');
  live.title = ok ? 'Refreshing every second' : `Cannot reach the server: ${err?.message || err}`;
}

// ---- toasts and dialogs -------------------------------------------------------------------

function toast(message, kind = 'ok') {
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 9000 : 4500);
}

for (const dlg of document.querySelectorAll('dialog')) {
  dlg.addEventListener('click', (e) => {
    if (e.target.closest('[data-close]')) dlg.close();
  });
}

// Runs `action` when a dialog's form is submitted; errors stay in the dialog.
function onDialogSubmit(dialogId, errorId, action) {
  const dlg = document.getElementById(dialogId);
  const form = dlg.querySelector('form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    setText(document.getElementById(errorId), '');
    try {
      await action(new FormData(form));
      dlg.close();
    } catch (err) {
      setText(document.getElementById(errorId), err.message);
    } finally {
      submit.disabled = false;
    }
  });
}

let confirmAction = null;
function confirmDialog({ title, text, ok, action }) {
  setText($('#confirm-title'), title);
  setText($('#confirm-text'), text);
  setText($('#confirm-ok'), ok);
  setText($('#confirm-error'), '');
  confirmAction = action;
  $('#dlg-confirm').showModal();
}
onDialogSubmit('dlg-confirm', 'confirm-error', () => confirmAction());

function purgeQueue(q) {
  confirmDialog({
    title: `Purge ${q.name}?`,
    text: `Every message in ${q.name} (visible, in flight and delayed) is deleted. This cannot be undone.`,
    ok: 'Purge queue',
    action: async () => {
      await sqs('PurgeQueue', { QueueUrl: q.url });
      toast(`Purged ${q.name}`);
      await poll();
      state.view?.refreshDetails?.();
    },
  });
}

function deleteQueue(q) {
  confirmDialog({
    title: `Delete ${q.name}?`,
    text: `The queue and all its messages are deleted. Producers and consumers using ${q.url} will get QueueDoesNotExist.`,
    ok: 'Delete queue',
    action: async () => {
      await sqs('DeleteQueue', { QueueUrl: q.url });
      toast(`Deleted ${q.name}`);
      if (location.hash !== '#/') location.hash = '#/';
      await poll();
    },
  });
}

// Create queue.
function openCreate() {
  const form = $('#form-create');
  form.reset();
  setText($('#create-error'), '');
  fillDlqChoices();
  $('#dlg-create').showModal();
  $('#create-name').focus();
}
function fillDlqChoices() {
  const form = $('#form-create');
  const fifo = form.elements.type.value === 'fifo';
  const select = $('#create-dlq');
  select.replaceChildren(h('option', { value: '' }, '(none)'));
  for (const q of state.queues) {
    if (q.fifo === fifo) select.append(h('option', { value: q.arn }, q.name));
  }
  $('#create-cbd-row').hidden = !fifo;
}
$('#form-create').addEventListener('change', (e) => {
  if (e.target.name === 'type') fillDlqChoices();
});
onDialogSubmit('dlg-create', 'create-error', async (f) => {
  let name = f.get('name').trim();
  const fifo = f.get('type') === 'fifo';
  if (fifo && !name.endsWith('.fifo')) name += '.fifo';
  const attributes = {
    VisibilityTimeout: f.get('visibility'),
    DelaySeconds: f.get('delay'),
    MessageRetentionPeriod: f.get('retention'),
    ReceiveMessageWaitTimeSeconds: f.get('wait'),
  };
  if (fifo) {
    attributes.FifoQueue = 'true';
    if (f.get('cbd')) attributes.ContentBasedDeduplication = 'true';
  }
  if (f.get('dlq')) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: f.get('dlq'),
      maxReceiveCount: Number(f.get('maxReceive')),
    });
  }
  await sqs('CreateQueue', { QueueName: name, Attributes: attributes });
  toast(`Created ${name}`);
  await poll();
  if (state.view instanceof ListView) state.view.flash(name);
});

// Send a test message.
let sendTarget = null;
function openSend(q) {
  sendTarget = q;
  const form = $('#form-send');
  form.reset();
  setText($('#send-queue'), q.name);
  setText($('#send-error'), '');
  $('#send-body').value = JSON.stringify({ hello: 'from the Tern dashboard', at: new Date().toISOString() }, null, 2);
  $('#send-delay-row').hidden = q.fifo;
  $('#send-group-row').hidden = !q.fifo;
  $('#send-dedup-row').hidden = !q.fifo;
  $('#dlg-send').showModal();
  $('#send-body').focus();
}
onDialogSubmit('dlg-send', 'send-error', async (f) => {
  const q = sendTarget;
  const copies = Math.max(1, Math.min(10, Number(f.get('copies')) || 1));
  const attrs = {};
  for (const line of f.get('attrs').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    attrs[line.slice(0, eq).trim()] = { DataType: 'String', StringValue: line.slice(eq + 1).trim() };
  }
  const entry = (i) => {
    const e = { MessageBody: f.get('body') };
    if (Object.keys(attrs).length) e.MessageAttributes = attrs;
    if (q.fifo) {
      e.MessageGroupId = f.get('group') || 'default';
      const dedup = f.get('dedup').trim();
      e.MessageDeduplicationId = dedup ? (copies > 1 ? `${dedup}-${i}` : dedup) : crypto.randomUUID();
    } else if (Number(f.get('delay')) > 0) {
      e.DelaySeconds = Number(f.get('delay'));
    }
    return e;
  };
  if (copies === 1) {
    const r = await sqs('SendMessage', { QueueUrl: q.url, ...entry(1) });
    toast(`Sent message ${r.MessageId} to ${q.name}`);
  } else {
    const entries = Array.from({ length: copies }, (_, i) => ({ Id: `m${i + 1}`, ...entry(i + 1) }));
    const r = await sqs('SendMessageBatch', { QueueUrl: q.url, Entries: entries });
    if (r.Failed?.length) throw new Error(`${r.Failed.length} of ${copies} failed: ${r.Failed[0].Message}`);
    toast(`Sent ${copies} messages to ${q.name}`);
  }
  await poll();
});

// ---- charts (canvas) ----------------------------------------------------------------------

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function setupCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const hgt = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(hgt * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  return { ctx, w, h: hgt };
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// The frame shared by both charts: scales, grid and time axis. Returns the mapping functions.
function frame(ctx, w, hgt, now, max, axes, unit) {
  const pad = axes ? { l: 46, r: 10, t: 10, b: 22 } : { l: 1, r: 1, t: 3, b: 2 };
  const pw = w - pad.l - pad.r;
  const ph = hgt - pad.t - pad.b;
  const t0 = now - WINDOW_MS;
  const x = (t) => pad.l + Math.max(0, Math.min(1, (t - t0) / WINDOW_MS)) * pw;
  const y = (v) => pad.t + ph - (v / max) * ph;
  if (axes) {
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = cssVar('--muted');
    ctx.strokeStyle = cssVar('--grid');
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const yy = Math.round(y(max * f)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, yy);
      ctx.lineTo(w - pad.r, yy);
      ctx.stroke();
      const v = max * f;
      ctx.fillText(`${Number.isInteger(v) ? fmtInt(v) : v.toFixed(1)}${f === 1 && unit ? unit : ''}`, pad.l - 6, yy);
    }
    ctx.textBaseline = 'top';
    for (const [t, label] of [[t0, '2 min ago'], [now - WINDOW_MS / 2, '1 min ago'], [now, 'now']]) {
      ctx.textAlign = t === t0 ? 'left' : t === now ? 'right' : 'center';
      ctx.fillText(label, x(t), hgt - pad.b + 6);
    }
  }
  return { x, y, pad, pw, ph };
}

// A queue's history with its current depth appended at `now`: samples are taken at most once a
// second, the depth in the answer is always current.
function withNow(q, now) {
  const hist = q.history;
  if (hist.t.length && hist.t[hist.t.length - 1] >= now) return hist;
  return {
    ...hist,
    t: [...hist.t, now],
    visible: [...hist.visible, q.visible],
    in_flight: [...hist.in_flight, q.in_flight],
    delayed: [...hist.delayed, q.delayed],
  };
}

// Samples in the window, plus the one before it so that lines enter from the left edge.
function windowed(hist, now) {
  const t0 = now - WINDOW_MS;
  let start = hist.t.findIndex((t) => t >= t0);
  if (start < 0) start = hist.t.length;
  return Math.max(0, start - 1);
}

function noData(ctx, w, hgt, axes, text) {
  if (!axes) return;
  ctx.fillStyle = cssVar('--faint');
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, w / 2, hgt / 2 - 8);
}

// Depth: visible, in flight and delayed, stacked. A sample is the depth at its time and holds
// until the next one (a step chart: nothing is known in between).
function drawDepth(canvas, hist, now, axes) {
  const { ctx, w, h: hgt } = setupCanvas(canvas);
  const from = windowed(hist, now);
  const n = hist.t.length;
  let top = 0;
  for (let i = from; i < n; i++) top = Math.max(top, hist.visible[i] + hist.in_flight[i] + hist.delayed[i]);
  const max = niceMax(Math.max(top, axes ? 4 : 1));
  const { x, y } = frame(ctx, w, hgt, now, max, axes, '');
  if (!axes) {
    ctx.strokeStyle = cssVar('--grid');
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, hgt - 1.5);
    ctx.lineTo(w, hgt - 1.5);
    ctx.stroke();
  }
  if (n === 0) return noData(ctx, w, hgt, axes, 'collecting samples…');
  const layers = [
    [hist.visible, cssVar('--visible')],
    [hist.in_flight, cssVar('--inflight')],
    [hist.delayed, cssVar('--delayed')],
  ];
  const base = new Array(n).fill(0);
  for (const [values, color] of layers) {
    const upper = base.map((b, i) => b + values[i]);
    // Step outline: [x, top, bottom] at each corner.
    const pts = [];
    for (let i = from; i < n; i++) {
      const x0 = x(hist.t[i]);
      const x1 = i + 1 < n ? x(hist.t[i + 1]) : x(now);
      pts.push([x0, upper[i], base[i]], [x1, upper[i], base[i]]);
    }
    ctx.beginPath();
    pts.forEach(([px, t], k) => (k ? ctx.lineTo(px, y(t)) : ctx.moveTo(px, y(t))));
    for (let k = pts.length - 1; k >= 0; k--) ctx.lineTo(pts[k][0], y(pts[k][2]));
    ctx.closePath();
    ctx.globalAlpha = axes ? 0.3 : 0.35;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    if (values.some((v, i) => i >= from && v > 0)) {
      ctx.beginPath();
      pts.forEach(([px, t], k) => (k ? ctx.lineTo(px, y(t)) : ctx.moveTo(px, y(t))));
      ctx.strokeStyle = color;
      ctx.lineWidth = axes ? 1.6 : 1.3;
      ctx.stroke();
    }
    for (let i = 0; i < n; i++) base[i] = upper[i];
  }
  // A dot on the current total at "now", so the latest depth shows even before history grows.
  const total = base[n - 1];
  if (total > 0) {
    ctx.beginPath();
    ctx.arc(x(now) - (axes ? 0 : 2.5), y(total), axes ? 3.5 : 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = hist.delayed[n - 1] ? cssVar('--delayed') : hist.in_flight[n - 1] ? cssVar('--inflight') : cssVar('--visible');
    ctx.fill();
  }
}

// Throughput: messages in and out per second. A rate is the average since the previous sample,
// so it is drawn over that interval.
function drawRates(canvas, hist, now) {
  const { ctx, w, h: hgt } = setupCanvas(canvas);
  const from = windowed(hist, now);
  const n = hist.t.length;
  let top = 0;
  for (let i = from; i < n; i++) top = Math.max(top, hist.in_rate[i] ?? 0, hist.out_rate[i] ?? 0);
  const max = niceMax(Math.max(top, 1));
  const { x, y } = frame(ctx, w, hgt, now, max, true, '/s');
  if (n < 2) return noData(ctx, w, hgt, true, 'collecting samples…');
  const series = [[hist.in_rate, cssVar('--rate-in'), 0.12, 1.8], [hist.out_rate, cssVar('--rate-out'), 0, 1.4]];
  for (const [values, color, fill, width] of series) {
    const runs = []; // runs of consecutive known rates, as step corners
    let run = null;
    for (let i = Math.max(from, 1); i < n; i++) {
      if (values[i] == null) {
        run = null;
        continue;
      }
      if (!run) runs.push((run = []));
      run.push([x(hist.t[i - 1]), values[i]], [x(hist.t[i]), values[i]]);
    }
    for (const pts of runs) {
      if (fill) {
        ctx.beginPath();
        pts.forEach(([px, v], k) => (k ? ctx.lineTo(px, y(v)) : ctx.moveTo(px, y(v))));
        ctx.lineTo(pts[pts.length - 1][0], y(0));
        ctx.lineTo(pts[0][0], y(0));
        ctx.closePath();
        ctx.globalAlpha = fill;
        ctx.fillStyle = color;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
      ctx.beginPath();
      pts.forEach(([px, v], k) => (k ? ctx.lineTo(px, y(v)) : ctx.moveTo(px, y(v))));
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.stroke();
    }
  }
}

// ---- small pieces -------------------------------------------------------------------------

function badges(q) {
  const out = [];
  if (q.fifo) out.push(h('span', { class: 'badge fifo', title: 'First-in-first-out queue' }, 'FIFO'));
  if (q.dead_letter_sources.length) {
    out.push(h('span', { class: 'badge dlq', title: `Dead-letter queue of ${q.dead_letter_sources.join(', ')}` }, 'DLQ'));
  }
  if (q.dead_letter_target) {
    out.push(h('span', { class: 'badge redrive', title: `After ${q.max_receive_count} receives, messages move to ${q.dead_letter_target.name}` },
      `→ ${q.dead_letter_target.name}`));
  }
  return out;
}

function tile(label, swatch) {
  const value = h('span', { class: 'value' }, '–');
  const el = h('div', { class: 'tile' },
    h('div', { class: 'label' }, swatch ? h('span', { class: `swatch ${swatch}` }) : null, label), value);
  return { el, value };
}

function copyButton(getText) {
  return h('button', {
    class: 'small',
    type: 'button',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(getText());
        toast('Copied');
      } catch {
        toast('The browser did not allow copying', 'error');
      }
    },
  }, 'Copy');
}

function stateBadge(m, now) {
  const label = { visible: 'Visible', in_flight: 'In flight', delayed: 'Delayed' }[m.state] || m.state;
  const el = h('span', { class: `state ${m.state}` }, label);
  if (m.visible_at_ms) el.title = `${m.state === 'delayed' ? 'Becomes visible' : 'Visible again'} ${fmtTime(m.visible_at_ms)}`;
  const wrap = h('span', null, el);
  if (m.visible_at_ms && m.visible_at_ms > now) wrap.append(h('span', { class: 'note' }, `  ${fmtSpan(m.visible_at_ms - now)} left`));
  return wrap;
}

// ---- the queue list -----------------------------------------------------------------------

class ListView {
  constructor() {
    this.filter = '';
    this.rows = new Map();
    this.tiles = {
      queues: tile('Queues'),
      visible: tile('Visible', 'visible'),
      inflight: tile('In flight', 'inflight'),
      delayed: tile('Delayed', 'delayed'),
      in: tile('Messages in /s', 'in'),
      out: tile('Messages out /s', 'out'),
    };
    this.tbody = h('tbody');
    this.el = h('div', null,
      h('div', { class: 'page-head' },
        h('h1', null, 'Queues'),
        h('span', { class: 'spacer' }),
        h('input', {
          class: 'search', type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter queues',
          oninput: (e) => {
            this.filter = e.target.value.trim().toLowerCase();
            this.update();
          },
        }),
        h('button', { class: 'primary', type: 'button', onclick: openCreate }, 'Create queue')),
      h('div', { class: 'tiles' }, Object.values(this.tiles).map((t) => t.el)),
      h('div', { class: 'panel' },
        h('table', { id: 'queue-table' },
          h('thead', null, h('tr', null,
            h('th', null, 'Queue'),
            h('th', { class: 'num' }, 'Visible'),
            h('th', { class: 'num' }, 'In flight'),
            h('th', { class: 'num' }, 'Delayed'),
            h('th', { class: 'num' }, 'In /s'),
            h('th', { class: 'num' }, 'Out /s'),
            h('th', null, 'Depth, last 2 min'),
            h('th', null))),
          this.tbody)));
  }

  flash(name) {
    const row = this.rows.get(name);
    if (!row) return;
    row.tr.classList.remove('flash');
    void row.tr.offsetWidth; // restart the animation
    row.tr.classList.add('flash');
  }

  makeRow(q) {
    const cell = (col) => h('td', { class: 'num', 'data-col': col });
    const r = {
      name: h('td'),
      visible: cell('visible'),
      in_flight: cell('in_flight'),
      delayed: cell('delayed'),
      in_rate: cell('in_rate'),
      out_rate: cell('out_rate'),
      canvas: h('canvas', { class: 'spark', 'aria-label': `Depth of ${q.name} over the last two minutes` }),
      sig: '',
    };
    r.tr = h('tr', { class: 'row', 'data-queue': q.name },
      r.name, r.visible, r.in_flight, r.delayed, r.in_rate, r.out_rate,
      h('td', null, r.canvas),
      h('td', null, h('div', { class: 'actions' },
        h('button', { class: 'small', type: 'button', onclick: () => openSend(state.byName.get(q.name)) }, 'Send'),
        h('button', { class: 'small', type: 'button', onclick: () => purgeQueue(state.byName.get(q.name)) }, 'Purge'),
        h('button', { class: 'small danger', type: 'button', onclick: () => deleteQueue(state.byName.get(q.name)) }, 'Delete'))));
    return r;
  }

  update() {
    const qs = state.queues;
    const sum = (f) => qs.reduce((a, q) => a + (f(q) || 0), 0);
    setText(this.tiles.queues.value, fmtInt(qs.length));
    setText(this.tiles.visible.value, fmtInt(sum((q) => q.visible)));
    setText(this.tiles.inflight.value, fmtInt(sum((q) => q.in_flight)));
    setText(this.tiles.delayed.value, fmtInt(sum((q) => q.delayed)));
    setText(this.tiles.in.value, fmtRate(sum((q) => q.in_rate)));
    setText(this.tiles.out.value, fmtRate(sum((q) => q.out_rate)));

    const shown = qs.filter((q) => q.name.toLowerCase().includes(this.filter));
    for (const [name, row] of this.rows) {
      if (!state.byName.has(name)) {
        row.tr.remove();
        this.rows.delete(name);
      }
    }
    if (!qs.length || !shown.length) {
      this.tbody.replaceChildren(h('tr', null, h('td', { colspan: 8 }, qs.length
        ? h('div', { class: 'empty' }, 'No queue matches the filter.')
        : h('div', { class: 'empty' },
          h('h3', null, 'No queues yet'),
          h('p', null, 'Create one here, or with ', h('code', null, 'tern queue create orders'), ' or any SQS client.'),
          h('button', { class: 'primary', type: 'button', onclick: openCreate }, 'Create queue')))));
      this.rows.clear();
      return;
    }
    if (!this.tbody.querySelector('tr.row')) this.tbody.replaceChildren();
    let prev = null;
    for (const q of shown) {
      let row = this.rows.get(q.name);
      if (!row) {
        row = this.makeRow(q);
        this.rows.set(q.name, row);
      }
      const expected = prev ? prev.nextSibling : this.tbody.firstChild;
      if (expected !== row.tr) this.tbody.insertBefore(row.tr, expected);
      prev = row.tr;
      const sig = JSON.stringify([q.fifo, q.dead_letter_sources, q.dead_letter_target, q.max_receive_count]);
      if (sig !== row.sig) {
        row.sig = sig;
        row.name.replaceChildren(h('a', { class: 'queue-name', href: `#/queues/${encodeURIComponent(q.name)}` }, q.name), ...badges(q));
      }
      for (const col of ['visible', 'in_flight', 'delayed']) {
        setText(row[col], fmtInt(q[col]));
        row[col].classList.toggle('zero', q[col] === 0);
      }
      setText(row.in_rate, fmtRate(q.in_rate));
      setText(row.out_rate, fmtRate(q.out_rate));
      row.in_rate.classList.toggle('zero', !q.in_rate);
      row.out_rate.classList.toggle('zero', !q.out_rate);
      drawDepth(row.canvas, withNow(q, state.now), state.now, false);
    }
    for (const [name, row] of this.rows) {
      if (!shown.some((q) => q.name === name)) row.tr.remove();
    }
  }
}

// ---- one queue ----------------------------------------------------------------------------

class QueueView {
  constructor(name, tab) {
    this.name = name;
    this.tab = ['messages', 'config', 'redrive'].includes(tab) ? tab : 'messages';
    this.pages = [0]; // the `after` cursor of each page visited
    this.expanded = new Set();
    this.peekSig = '';
    this.tasksAt = 0;
    this.tiles = {
      visible: tile('Visible', 'visible'),
      inflight: tile('In flight', 'inflight'),
      delayed: tile('Delayed', 'delayed'),
      in: tile('In /s', 'in'),
      out: tile('Out /s', 'out'),
      entered: tile('Messages in, total'),
    };
    this.title = h('h1', null, name);
    this.badges = h('span');
    this.url = h('span', { class: 'v' });
    this.arn = h('span', { class: 'v' });
    this.depthCanvas = h('canvas', { 'aria-label': 'Depth over the last two minutes' });
    this.rateCanvas = h('canvas', { 'aria-label': 'Messages in and out per second over the last two minutes' });
    this.tabButtons = {};
    const tabs = h('div', { class: 'tabs', role: 'tablist' },
      [['messages', 'Messages'], ['config', 'Attributes & tags'], ['redrive', 'Dead-letter & redrive']].map(([id, label]) => {
        const b = h('button', { type: 'button', role: 'tab', onclick: () => this.showTab(id) }, label);
        this.tabButtons[id] = b;
        return b;
      }));
    this.content = h('div');
    this.missing = h('div', { class: 'banner', hidden: true });
    this.body = h('div', null,
      h('div', { class: 'kv' },
        h('span', { class: 'k' }, 'URL'), this.url, copyButton(() => this.q?.url || ''),
        h('span', { class: 'k' }, 'ARN'), this.arn, copyButton(() => this.q?.arn || '')),
      h('div', { class: 'tiles' }, Object.values(this.tiles).map((t) => t.el)),
      h('div', { class: 'charts' },
        h('div', { class: 'panel chart-box' },
          h('h4', null, 'Depth'), this.depthCanvas,
          h('div', { class: 'legend' },
            h('span', null, h('span', { class: 'swatch visible' }), 'visible'),
            h('span', null, h('span', { class: 'swatch inflight' }), 'in flight'),
            h('span', null, h('span', { class: 'swatch delayed' }), 'delayed'))),
        h('div', { class: 'panel chart-box' },
          h('h4', null, 'Throughput'), this.rateCanvas,
          h('div', { class: 'legend' },
            h('span', null, h('span', { class: 'swatch in' }), 'in (sent or moved here)'),
            h('span', null, h('span', { class: 'swatch out' }), 'out (deleted, expired, moved, purged)')))),
      h('div', { class: 'panel' }, tabs, this.content));
    this.el = h('div', null,
      h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Queues'), ' / ', name),
      h('div', { class: 'page-head' }, this.title, this.badges, h('span', { class: 'spacer' }),
        h('button', { class: 'primary', type: 'button', onclick: () => this.q && openSend(this.q) }, 'Send message'),
        h('button', { type: 'button', onclick: () => this.q && purgeQueue(this.q) }, 'Purge'),
        h('button', { class: 'danger', type: 'button', onclick: () => this.q && deleteQueue(this.q) }, 'Delete')),
      this.missing,
      this.body);
    this.started = false;
  }

  get q() {
    return state.byName.get(this.name);
  }

  update() {
    const q = this.q;
    if (!q) {
      if (state.loaded) {
        this.missing.hidden = false;
        setText(this.missing, `Queue ${this.name} does not exist (any more).`);
        this.body.hidden = true;
      }
      return;
    }
    this.missing.hidden = true;
    this.body.hidden = false;
    setText(this.url, q.url);
    setText(this.arn, q.arn);
    const sig = JSON.stringify([q.fifo, q.dead_letter_sources, q.dead_letter_target]);
    if (sig !== this.badgeSig) {
      this.badgeSig = sig;
      this.badges.replaceChildren(...badges(q));
    }
    setText(this.tiles.visible.value, fmtInt(q.visible));
    setText(this.tiles.inflight.value, fmtInt(q.in_flight));
    setText(this.tiles.delayed.value, fmtInt(q.delayed));
    setText(this.tiles.in.value, fmtRate(q.in_rate));
    setText(this.tiles.out.value, fmtRate(q.out_rate));
    setText(this.tiles.entered.value, fmtInt(q.entered));
    drawDepth(this.depthCanvas, withNow(q, state.now), state.now, true);
    drawRates(this.rateCanvas, q.history, state.now);
    if (!this.started) {
      this.started = true;
      this.showTab(this.tab);
      return;
    }
    if (this.tab === 'messages' && this.pages.length === 1) {
      // The first page follows the queue: reload it when anything moved, at most every 2.5 s (a
      // peek of a very deep queue with long gaps costs a pass over its messages).
      const now = [q.entered, q.visible, q.in_flight, q.delayed].join();
      if (now !== this.peekSig && Date.now() - (this.peekAt || 0) >= 2500) this.loadMessages();
    }
    if (this.tab === 'redrive' && this.tasksRunning && Date.now() - this.tasksAt > 2000) this.loadTasks();
  }

  refreshDetails() {
    this.showTab(this.tab);
  }

  showTab(id) {
    if (!this.q) return;
    this.tab = id;
    for (const [k, b] of Object.entries(this.tabButtons)) {
      b.classList.toggle('active', k === id);
      b.setAttribute('aria-selected', String(k === id));
    }
    history.replaceState(null, '', `#/queues/${encodeURIComponent(this.name)}${id === 'messages' ? '' : `/${id}`}`);
    if (id === 'messages') this.renderMessagesTab();
    else if (id === 'config') this.renderConfigTab();
    else this.renderRedriveTab();
  }

  // -- messages (peek)

  renderMessagesTab() {
    this.pages = [0];
    this.range = h('span', { class: 'note' });
    this.prevBtn = h('button', { class: 'small', type: 'button', onclick: () => this.page(-1) }, '← Previous');
    this.nextBtn = h('button', { class: 'small', type: 'button', onclick: () => this.page(1) }, 'Next →');
    this.msgBody = h('tbody');
    this.content.replaceChildren(
      h('div', { class: 'panel-head' },
        h('span', { class: 'note' }, 'A peek shows messages without receiving them: their visibility and receive counts do not change.'),
        h('span', { class: 'spacer' }),
        h('div', { class: 'pager' }, this.range, this.prevBtn, this.nextBtn,
          h('button', { class: 'small', type: 'button', onclick: () => this.loadMessages() }, 'Refresh'))),
      h('table', { id: 'messages' },
        h('thead', null, h('tr', null,
          h('th', { class: 'num' }, '#'),
          h('th', null, 'Message ID'),
          h('th', null, 'State'),
          h('th', { class: 'num' }, 'Receives'),
          h('th', null, 'Sent'),
          this.q?.fifo ? h('th', null, 'Group') : null,
          h('th', { class: 'body-col' }, 'Body'))),
        this.msgBody));
    this.loadMessages();
  }

  page(dir) {
    if (dir > 0 && this.nextAfter != null) this.pages.push(this.nextAfter);
    if (dir < 0 && this.pages.length > 1) this.pages.pop();
    this.loadMessages();
  }

  async loadMessages() {
    const q = this.q;
    if (!q) return;
    this.peekSig = [q.entered, q.visible, q.in_flight, q.delayed].join();
    this.peekAt = Date.now();
    const after = this.pages[this.pages.length - 1];
    const token = (this.peekToken = {});
    let data;
    try {
      data = await getJson(`/ui/api/queues/${encodeURIComponent(this.name)}/messages?after=${after}&limit=${PAGE_SIZE}`);
    } catch (e) {
      if (token === this.peekToken) {
        this.msgBody.replaceChildren(h('tr', null, h('td', { colspan: 7 }, h('div', { class: 'empty' }, e.message))));
      }
      return;
    }
    if (token !== this.peekToken || this.tab !== 'messages') return; // a newer load superseded this one
    this.nextAfter = data.next_after;
    const first = (this.pages.length - 1) * PAGE_SIZE + 1;
    setText(this.range, data.messages.length
      ? `${fmtInt(first)}–${fmtInt(first + data.messages.length - 1)} of ${fmtInt(data.total)}`
      : `0 of ${fmtInt(data.total)}`);
    this.prevBtn.disabled = this.pages.length === 1;
    this.nextBtn.disabled = data.next_after == null;
    const fifo = q.fifo;
    const rows = [];
    for (const m of data.messages) {
      const tr = h('tr', { class: 'row message', 'data-message-id': m.message_id, title: 'Show the whole message' },
        h('td', { class: 'num' }, m.seq),
        h('td', { class: 'mono' }, m.message_id.slice(0, 8), h('span', { class: 'note' }, '…')),
        h('td', { 'data-col': 'state' }, stateBadge(m, data.now_ms)),
        h('td', { class: `num${m.receive_count ? '' : ' zero'}`, 'data-col': 'receive-count' }, m.receive_count),
        h('td', { title: fmtTime(m.sent_ms) }, fmtAgo(m.sent_ms, data.now_ms)),
        fifo ? h('td', { class: 'mono' }, m.group_id || '') : null,
        h('td', null, h('div', { class: 'body-preview', 'data-col': 'body' }, m.body)));
      rows.push(tr);
      const detail = this.expanded.has(m.message_id) ? this.detailRow(m, fifo) : null;
      if (detail) rows.push(detail);
      tr.addEventListener('click', () => {
        if (this.expanded.has(m.message_id)) {
          this.expanded.delete(m.message_id);
          tr.nextSibling?.classList.contains('detail') && tr.nextSibling.remove();
        } else {
          this.expanded.add(m.message_id);
          tr.after(this.detailRow(m, fifo));
        }
      });
    }
    if (!rows.length) {
      rows.push(h('tr', null, h('td', { colspan: 7 }, h('div', { class: 'empty' },
        h('h3', null, 'No messages'),
        h('p', null, 'Send one with the button above, or from any SQS client.')))));
    }
    this.msgBody.replaceChildren(...rows);
  }

  detailRow(m, fifo) {
    const pre = h('pre', { class: 'body' });
    const show = (body) => {
      let text = body;
      try {
        text = JSON.stringify(JSON.parse(body), null, 2);
      } catch {
        /* not JSON: shown as sent */
      }
      pre.textContent = text;
    };
    show(m.body);
    if (m.body_truncated) {
      pre.textContent = `${m.body}\n… (loading the whole ${fmtBytes(m.body_bytes)})`;
      getJson(`/ui/api/queues/${encodeURIComponent(this.name)}/messages?after=${m.seq - 1}&limit=1&body_limit=0`)
        .then((d) => (d.messages[0]?.message_id === m.message_id ? show(d.messages[0].body) : null))
        .catch((e) => (pre.textContent += `\n${e.message}`));
    }
    const props = [
      ['Message ID', m.message_id],
      ['State', { visible: 'visible', in_flight: 'in flight', delayed: 'delayed' }[m.state]],
      m.visible_at_ms ? [m.state === 'delayed' ? 'Visible from' : 'Visible again', fmtTime(m.visible_at_ms)] : null,
      ['Receive count', String(m.receive_count)],
      ['First received', m.first_receive_ms ? fmtTime(m.first_receive_ms) : 'never'],
      ['Sent', fmtTime(m.sent_ms)],
      ['Sender', m.sender_id],
      ['Body size', fmtBytes(m.body_bytes)],
      ['MD5 of body', m.md5_of_body],
      fifo ? ['Group', m.group_id] : null,
      fifo ? ['Deduplication id', m.deduplication_id] : null,
      fifo ? ['Sequence number', m.sequence_number] : null,
      m.dead_letter_source_arn ? ['Dead-letter source', m.dead_letter_source_arn] : null,
      m.trace_header ? ['Trace header', m.trace_header] : null,
    ].filter(Boolean);
    const attrs = Object.entries(m.message_attributes);
    return h('tr', { class: 'detail' }, h('td', { colspan: fifo ? 7 : 6 },
      h('div', { class: 'detail-grid' },
        h('div', null, h('h4', null, 'Body'), pre),
        h('div', null,
          h('h4', null, 'Message'),
          h('dl', { class: 'props' }, props.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '')])),
          attrs.length ? h('h4', { class: 'attrs-title' }, 'Message attributes') : null,
          attrs.length ? h('dl', { class: 'props' }, attrs.flatMap(([k, v]) => [
            h('dt', null, k),
            h('dd', null, `${v.string_value ?? v.binary_value ?? ''}  (${v.data_type}${v.binary_value ? ', base64' : ''})`)])) : null))));
  }

  // -- attributes and tags

  async renderConfigTab() {
    const q = this.q;
    const attrsBody = h('tbody');
    const tagsBody = h('tbody');
    this.content.replaceChildren(
      h('div', { class: 'panel-body' },
        h('div', { class: 'detail-grid' },
          h('div', null, h('h4', null, 'Attributes'), h('table', { id: 'attributes' }, attrsBody)),
          h('div', null, h('h4', null, 'Tags'), h('table', { id: 'tags' }, tagsBody)))));
    try {
      const [a, t] = await Promise.all([
        sqs('GetQueueAttributes', { QueueUrl: q.url, AttributeNames: ['All'] }),
        sqs('ListQueueTags', { QueueUrl: q.url }),
      ]);
      const seconds = new Set(['VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod',
        'ReceiveMessageWaitTimeSeconds', 'KmsDataKeyReusePeriodSeconds']);
      const stamps = new Set(['CreatedTimestamp', 'LastModifiedTimestamp']);
      for (const [k, v] of Object.entries(a.Attributes || {})) {
        let shown = v;
        if (seconds.has(k)) shown = fmtSeconds(v);
        else if (stamps.has(k)) shown = fmtTime(Number(v) * 1000);
        else if (k === 'MaximumMessageSize') shown = fmtBytes(Number(v));
        else if (v.startsWith('{')) {
          try {
            shown = JSON.stringify(JSON.parse(v), null, 2);
          } catch {
            /* shown raw */
          }
        }
        const value = shown.includes('\n') ? h('pre', { class: 'body' }, shown) : h('span', { class: 'mono' }, shown);
        attrsBody.append(h('tr', null, h('td', { class: 'note' }, k), h('td', { title: v }, value)));
      }
      const tags = Object.entries(t.Tags || {});
      if (!tags.length) tagsBody.append(h('tr', null, h('td', { class: 'note' }, 'No tags.')));
      for (const [k, v] of tags) tagsBody.append(h('tr', null, h('td', { class: 'mono' }, k), h('td', { class: 'mono' }, v)));
    } catch (e) {
      attrsBody.append(h('tr', null, h('td', null, e.message)));
    }
  }

  // -- dead-letter queue, sources and redrive (message move tasks)

  async renderRedriveTab() {
    const q = this.q;
    const policy = h('div');
    const sources = h('div');
    const redrive = h('div');
    this.tasksBody = h('tbody');
    this.content.replaceChildren(h('div', { class: 'panel-body' },
      h('div', { class: 'detail-grid' },
        h('div', null, h('h4', null, 'Redrive policy'), policy),
        h('div', null, h('h4', null, 'Dead-letter sources'), sources)),
      redrive));
    if (q.dead_letter_target) {
      const n = q.max_receive_count;
      policy.append(h('p', null, `Messages received more than ${n} time${n === 1 ? '' : 's'} move to `,
        h('a', { href: `#/queues/${encodeURIComponent(q.dead_letter_target.name)}` }, q.dead_letter_target.name), '.'));
    } else {
      policy.append(h('p', { class: 'note' }, 'No dead-letter queue: messages are retried until they expire.'));
    }
    let urls = [];
    try {
      urls = (await sqs('ListDeadLetterSourceQueues', { QueueUrl: q.url, MaxResults: 1000 })).queueUrls || [];
    } catch (e) {
      sources.append(h('p', null, e.message));
    }
    if (!urls.length) {
      sources.append(h('p', { class: 'note' }, 'No queue sends its failed messages here.'));
      return;
    }
    sources.append(h('ul', { id: 'dlq-sources' }, urls.map((u) => {
      const n = decodeURIComponent(u.slice(u.lastIndexOf('/') + 1));
      return h('li', null, h('a', { href: `#/queues/${encodeURIComponent(n)}` }, n));
    })));

    const dest = h('select', { name: 'destination', 'aria-label': 'Redrive destination' },
      h('option', { value: '' }, 'their source queues'),
      state.queues.filter((o) => o.name !== q.name && o.fifo === q.fifo).map((o) => h('option', { value: o.arn }, o.name)));
    const rate = h('input', { type: 'number', min: 1, max: 500, placeholder: 'as fast as possible', 'aria-label': 'Messages per second' });
    const start = h('button', {
      class: 'primary',
      type: 'button',
      onclick: async () => {
        const params = { SourceArn: q.arn };
        if (dest.value) params.DestinationArn = dest.value;
        if (rate.value) params.MaxNumberOfMessagesPerSecond = Number(rate.value);
        start.disabled = true;
        try {
          await sqs('StartMessageMoveTask', params);
          toast(`Redrive of ${q.name} started`);
          await this.loadTasks();
        } catch (e) {
          toast(e.message, 'error');
        } finally {
          start.disabled = false;
        }
      },
    }, 'Start redrive');
    redrive.append(
      h('h4', { class: 'section' }, 'Redrive'),
      h('div', { class: 'form-row' },
        h('label', { class: 'field' }, 'Move the messages of this queue to', dest),
        h('label', { class: 'field' }, 'Messages per second', rate),
        start),
      h('h4', { class: 'section' }, 'Move tasks'),
      h('table', { id: 'move-tasks' },
        h('thead', null, h('tr', null,
          h('th', null, 'Status'), h('th', null, 'Started'), h('th', { class: 'num' }, 'Moved'),
          h('th', { class: 'num' }, 'To move'), h('th', null, 'Destination'), h('th', null, 'Rate'), h('th', null))),
        this.tasksBody));
    await this.loadTasks();
  }

  async loadTasks() {
    const q = this.q;
    if (!q || !this.tasksBody) return;
    this.tasksAt = Date.now();
    let tasks = [];
    try {
      tasks = (await sqs('ListMessageMoveTasks', { SourceArn: q.arn, MaxResults: 10 })).Results || [];
    } catch (e) {
      this.tasksBody.replaceChildren(h('tr', null, h('td', { colspan: 7 }, e.message)));
      return;
    }
    this.tasksRunning = tasks.some((t) => t.Status === 'RUNNING');
    if (!tasks.length) {
      this.tasksBody.replaceChildren(h('tr', null, h('td', { colspan: 7, class: 'note' }, 'No redrive yet.')));
      return;
    }
    this.tasksBody.replaceChildren(...tasks.map((t) => h('tr', { 'data-status': t.Status },
      h('td', null, h('span', { class: `task ${t.Status}` }, t.Status),
        t.FailureReason ? h('div', { class: 'note' }, t.FailureReason) : null),
      h('td', null, fmtTime(t.StartedTimestamp)),
      h('td', { class: 'num' }, fmtInt(t.ApproximateNumberOfMessagesMoved ?? 0)),
      h('td', { class: 'num' }, t.ApproximateNumberOfMessagesToMove == null ? '–' : fmtInt(t.ApproximateNumberOfMessagesToMove)),
      h('td', null, t.DestinationArn ? t.DestinationArn.slice(t.DestinationArn.lastIndexOf(':') + 1) : 'source queues'),
      h('td', null, t.MaxNumberOfMessagesPerSecond ? `${t.MaxNumberOfMessagesPerSecond}/s` : 'max'),
      h('td', null, t.Status === 'RUNNING' && t.TaskHandle ? h('button', {
        class: 'small danger',
        type: 'button',
        onclick: async () => {
          try {
            const r = await sqs('CancelMessageMoveTask', { TaskHandle: t.TaskHandle });
            toast(`Redrive cancelled after ${fmtInt(r.ApproximateNumberOfMessagesMoved ?? 0)} messages`);
          } catch (e) {
            toast(e.message, 'error');
          }
          await this.loadTasks();
        },
      }, 'Cancel') : null))));
  }
}

// ---- routing and start-up -----------------------------------------------------------------

function route() {
  const m = (location.hash || '#/').match(/^#\/queues\/([^/]+)(?:\/(\w+))?$/);
  state.view = m ? new QueueView(decodeURIComponent(m[1]), m[2]) : new ListView();
  $('#main').replaceChildren(state.view.el);
  document.title = m ? `${decodeURIComponent(m[1])} · Tern` : 'Queues · Tern';
  if (state.loaded) state.view.update();
}
window.addEventListener('hashchange', route);
window.addEventListener('resize', () => state.view?.update());

async function start() {
  route();
  try {
    const info = await getJson('/ui/api/info');
    state.info = info;
    $('#server-info').replaceChildren(
      h('span', { class: 'pill', title: 'Endpoint for SQS clients' }, info.endpoint),
      h('span', null, info.region),
      h('span', null, `account ${info.account_id}`),
      h('span', { class: 'pill' }, info.auth === 'basic' ? `signed in as ${info.user}` : 'no auth (loopback)'));
  } catch (e) {
    toast(e.message, 'error');
  }
  poll();
}
start();
