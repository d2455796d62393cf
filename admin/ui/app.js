// The Sluice workspace: sources, the live debugger, destinations and event lookup, over the
// admin API of the listener that serves this file. The admin token is typed once, kept in this
// tab's sessionStorage and sent as a bearer header; no cookies, so no cross-site requests can
// use it. Everything the page shows is built with DOM calls and textContent, never HTML
// strings, so event contents cannot inject markup.
'use strict';

const TOKEN_KEY = 'sluice.adminToken';
const MAX_ROWS = 500;  // debugger rows kept on screen; older ones are removed
const POLL_MS = 3000;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  page: null,
  poll: null,  // the timer of the page's next refresh
  pending: [],  // debugger rows not yet drawn (drawn once per animation frame)
  drawing: false,  // a frame is asked for to draw them
  sources: [],
  workspace: null,  // the last GET /v1/workspace, for rates
  destinations: null,  // the last GET /v1/destinations, for rates
  tail: null,  // the AbortController of the open stream
  paused: false,
  held: [],  // frames that arrived while paused
  heldLost: 0,
  dropped: 0,
};

const $ = (id) => document.getElementById(id);

// el('td', {class: 'x', onclick: f}, 'text', child...): an element with attributes, listeners
// and children (strings become text nodes).
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function notice(text) {
  const box = $('notice');
  box.textContent = text || '';
  box.hidden = !text;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const init = {method, headers: {Authorization: 'Bearer ' + state.token}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    showLogin('The admin token was refused.');
    throw new ApiError(401, 'unauthorized', 'The admin token was refused.');
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || 'error', error.message || response.statusText);
  }
  return data;
}

// Runs an action from a button, showing its failure as a notice.
async function act(action) {
  try {
    notice('');
    await action();
  } catch (error) {
    if (error.status !== 401) notice(error.message);
  }
}

function formatTime(iso) {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleTimeString();
}

function formatAge(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return ms + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return Math.round(ms / 60000) + ' min';
  return (ms / 3600000).toFixed(1) + ' h';
}

function formatRate(now, before, seconds) {
  if (!Number.isFinite(now) || !Number.isFinite(before) || seconds <= 0) return '—';
  return (Math.max(0, now - before) / seconds).toFixed(1);
}

// --- Login -------------------------------------------------------------------------------

function showLogin(message) {
  stopTail();
  stopPolling();
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

async function login(event) {
  event.preventDefault();
  state.token = $('token').value.trim();
  try {
    await api('GET', '/v1/destinations');
  } catch (error) {
    if (error.status !== 401) $('login-error').textContent = error.message;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, state.token);
  $('login').hidden = true;
  $('app').hidden = false;
  route();
}

// --- Pages -------------------------------------------------------------------------------

const pages = {
  debugger: {enter: enterDebugger, leave: stopTail},
  sources: {enter: enterSources},
  destinations: {enter: enterDestinations},
  lookup: {enter: enterLookup},
};

function stopPolling() {
  clearTimeout(state.poll);
  state.poll = null;
}

// Refreshes the page now and POLL_MS after each refresh has finished, so a slow answer never
// stacks requests.
function poll(refresh) {
  stopPolling();
  const page = state.page;
  const again = async () => {
    await refresh();
    if (state.page === page && state.token) state.poll = setTimeout(again, POLL_MS);
  };
  again();
}

function route() {
  if (!state.token) return showLogin();
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  const page = pages[name] ? name : 'debugger';
  if (state.page && state.page !== page && pages[state.page].leave) pages[state.page].leave();
  stopPolling();
  notice('');
  state.page = page;
  for (const key of Object.keys(pages)) $('page-' + key).hidden = key !== page;
  for (const link of document.querySelectorAll('nav a')) {
    link.classList.toggle('active', link.dataset.page === page);
  }
  pages[page].enter();
}

async function loadSources() {
  const answer = await api('GET', '/v1/sources');
  state.sources = answer.sources;
  return state.sources;
}

function fillSourcePicker(select, withAll) {
  const chosen = select.value;
  select.replaceChildren();
  if (withAll) select.append(el('option', {value: ''}, 'All sources'));
  for (const source of state.sources) select.append(el('option', {value: source.name}, source.name));
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

// --- Debugger ----------------------------------------------------------------------------

async function enterDebugger() {
  startTail();
  await act(async () => {
    await loadSources();
    fillSourcePicker($('tail-source'), true);
  });
}

function tailQuery() {
  const query = new URLSearchParams();
  if ($('tail-source').value) query.set('source', $('tail-source').value);
  if ($('tail-type').value) query.set('type', $('tail-type').value);
  if ($('tail-event').value.trim()) query.set('event', $('tail-event').value.trim());
  if ($('tail-rejected').checked) query.set('rejected', 'true');
  return query.toString();
}

function tailStatus(text) {
  $('tail-status').textContent = text;
}

function stopTail() {
  if (state.tail) state.tail.abort();
  state.tail = null;
}

// Reads the tail as Server-Sent Events with fetch (EventSource cannot send a bearer header),
// and reconnects after a pause when the stream ends while the page is open.
async function startTail() {
  stopTail();
  const controller = new AbortController();
  state.tail = controller;
  state.dropped = 0;
  let retryDelay = 2000;
  tailStatus('Connecting…');
  try {
    const response = await fetch('/v1/tail?' + tailQuery(), {
      headers: {Authorization: 'Bearer ' + state.token},
      signal: controller.signal,
    });
    if (response.status === 401) return showLogin('The admin token was refused.');
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      tailStatus((answer.error && answer.error.message) || 'The live tail is unavailable.');
      // Only a full tail is worth trying again, when it says; a refused query stays refused.
      if (response.status !== 503) return;
      retryDelay = 1000 * (Number(response.headers.get('Retry-After')) || 5);
    } else {
      await readFrames(response.body, controller);
      if (!controller.signal.aborted) tailStatus('The stream ended; reconnecting…');
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    tailStatus('Disconnected; reconnecting…');
  }
  if (state.tail === controller) {
    setTimeout(() => {
      if (state.tail === controller) startTail();
    }, retryDelay);
  }
}

async function readFrames(body, controller) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done || controller.signal.aborted) return;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame = {event: 'message', data: ''};
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data += line.slice(6);
      }
      if (frame.data) onFrame(frame.event, JSON.parse(frame.data));
    }
  }
}

function onFrame(kind, data) {
  if (kind === 'open') {
    tailStatus('Live: showing events as they arrive');
    return;
  }
  if (kind === 'dropped') {
    state.dropped += data.dropped;
    tailStatus('Live: ' + state.dropped + ' events arrived too fast to show');
    return;
  }
  if (state.paused) {
    if (state.held.length < MAX_ROWS) state.held.push([kind, data]);
    else state.heldLost += 1;
    tailStatus('Paused: ' + (state.held.length + state.heldLost) + ' new');
    return;
  }
  queueRow(kind, data);
}

// Rows are drawn once per animation frame, at most MAX_ROWS of the newest: a fast stream costs
// the page one layout a frame, not one per event.
function queueRow(kind, data) {
  state.pending.push([kind, data]);
  if (state.pending.length > MAX_ROWS) state.pending.splice(0, state.pending.length - MAX_ROWS);
  if (!state.drawing) {
    state.drawing = true;
    requestAnimationFrame(drawRows);
  }
}

function drawRows() {
  const rows = state.pending;
  state.pending = [];
  state.drawing = false;
  for (const [kind, data] of rows) addRow(kind, data);
}

function eventName(frame) {
  const event = frame.event || {};
  if (frame.type === 'track') return event.event;
  if (frame.type === 'page' || frame.type === 'screen') return event.name || '';
  if (frame.type === 'identify' || frame.type === 'alias') return event.userId || '';
  if (frame.type === 'group') return event.groupId || '';
  if (frame.type === 'object') return event.collection || event.id || '';
  return '';
}

function addRow(kind, data) {
  const rows = $('tail-rows');
  let row;
  if (kind === 'rejected') {
    const where = data.index === undefined ? 'request refused' : 'message ' + data.index;
    row = el('tr', {class: 'rejected', 'data-kind': 'rejected'},
             el('td', {}, formatTime(data.receivedAt)), el('td', {}, data.source || '(no source)'),
             el('td', {}, 'rejected'), el('td', {}, data.code), el('td', {}, where));
    row.addEventListener('click', () => showRejection(row, data));
  } else {
    row = el('tr', {'data-kind': 'event', 'data-message-id': data.messageId},
             el('td', {}, formatTime(data.receivedAt)), el('td', {}, data.source),
             el('td', {}, data.type), el('td', {}, eventName(data)),
             el('td', {class: 'mono'}, data.messageId));
    row.addEventListener('click', () => showEvent(row, data));
  }
  rows.prepend(row);
  while (rows.rows.length > MAX_ROWS) rows.lastElementChild.remove();
}

function select(row) {
  for (const selected of document.querySelectorAll('#tail-rows tr.selected')) {
    selected.classList.remove('selected');
  }
  row.classList.add('selected');
}

function showRejection(row, data) {
  select(row);
  $('tail-detail').replaceChildren(
      el('h3', {class: 'state-dead_lettered'}, 'Rejected: ' + data.code),
      el('p', {}, data.message),
      el('p', {class: 'hint'}, data.index === undefined
                                   ? 'The whole request was refused; nothing of it was stored.'
                                   : 'Message ' + data.index + ' of its request was not stored; ' +
                                         'the rest of the request was.'));
}

async function showEvent(row, data) {
  select(row);
  const delivery = el('div', {id: 'event-delivery'}, el('p', {class: 'hint'}, 'Looking up delivery…'));
  $('tail-detail').replaceChildren(
      el('h3', {}, data.type + (eventName(data) ? ': ' + eventName(data) : '')),
      el('p', {class: 'mono'}, 'sequence ' + data.sequence + ' · ' + data.source),
      delivery, el('pre', {}, JSON.stringify(data.event, null, 2)));
  try {
    const found = await api('GET', eventPath(data.messageId, data.source));
    delivery.replaceChildren(deliveryTable(found));
  } catch (error) {
    delivery.replaceChildren(el('p', {class: 'hint'}, error.message));
  }
}

function eventPath(messageId, source) {
  return '/v1/events/' + encodeURIComponent(messageId) + '?source=' + encodeURIComponent(source);
}

function deliveryTable(found) {
  if (!found.stored) return el('p', {class: 'hint'}, 'Delivered everywhere and since deleted by retention.');
  if (!found.destinations.length) return el('p', {class: 'hint'}, 'No destinations are configured.');
  const rows = found.destinations.map((destination) => {
    let detail = '';
    if (destination.state === 'pending') detail = destination.ahead + ' events ahead of it';
    if (destination.state === 'dead_lettered') detail = destination.dead_letter.reason;
    const actions = el('td', {});
    if (destination.redeliver) {
      actions.append(el('button', {type: 'button', class: 'quiet', onclick: () => act(async () => {
        await api('POST', destination.redeliver);
        notice('Redelivering to ' + destination.name + '.');
      })}, 'Redeliver'));
    }
    return el('tr', {'data-destination': destination.name},
              el('td', {}, destination.name),
              el('td', {class: 'state-' + destination.state}, destination.state.replace('_', ' ')),
              el('td', {}, detail), actions);
  });
  return el('table', {class: 'list'},
            el('thead', {}, el('tr', {}, el('th', {}, 'Destination'), el('th', {}, 'State'),
                                 el('th', {}, ''), el('th', {}, ''))),
            el('tbody', {}, rows));
}

function togglePause() {
  state.paused = !state.paused;
  $('tail-pause').textContent = state.paused ? 'Resume' : 'Pause';
  if (state.paused) {
    tailStatus('Paused');
    return;
  }
  for (const [kind, data] of state.held) queueRow(kind, data);
  state.held = [];
  state.heldLost = 0;
  tailStatus('Live: showing events as they arrive');
}

// --- Sources -----------------------------------------------------------------------------

function enterSources() {
  state.workspace = null;  // rates are measured from this visit's first refresh
  poll(() => act(refreshSources));
}

async function refreshSources() {
  const [sources, workspace] = await Promise.all([loadSources(), api('GET', '/v1/workspace')]);
  const now = performance.now();
  const before = state.workspace;
  const seconds = before ? (now - before.at) / 1000 : 0;
  const previous = new Map(before ? before.sources.map((s) => [s.name, s]) : []);
  const activity = new Map(workspace.sources.map((s) => [s.name, s]));
  state.workspace = {at: now, sources: workspace.sources, publicHost: workspace.public_host};
  $('source-rows').replaceChildren(...sources.map((source) => {
    const counts = activity.get(source.name) || {};
    const old = previous.get(source.name);
    const active = source.keys.filter((key) => key.state !== 'revoked').length;
    const fromApi = source.origin === 'api';
    return el('tr', {'data-source': source.name},
              el('td', {}, el('a', {href: '#/sources', onclick: (event) => {
                event.preventDefault();
                showSource(source.name);
              }}, source.name)),
              el('td', {}, source.kind),
              el('td', {class: source.enabled ? 'state-active' : 'state-disabled'},
                 source.enabled ? 'enabled' : 'disabled'),
              el('td', {}, formatRate(counts.received, old && old.received, seconds)),
              el('td', {}, formatRate((counts.rejected || 0) + (counts.refused || 0),
                                      old && old.rejected + old.refused, seconds)),
              el('td', {}, active + ' active'),
              el('td', {class: 'actions'},
                 el('button', {type: 'button', class: 'quiet', onclick: () => showSource(source.name)},
                    'Keys & setup'),
                 fromApi ? el('button', {type: 'button', class: source.enabled ? 'danger' : 'quiet',
                                         onclick: () => act(async () => {
                                           await api('PATCH', '/v1/sources/' + source.name,
                                                     {enabled: !source.enabled});
                                           await refreshSources();
                                         })}, source.enabled ? 'Disable' : 'Enable')
                         : null));
  }));
  const open = $('source-detail').dataset.source;
  if (open && !$('source-detail').hidden && !$('source-detail').contains(document.activeElement)) {
    renderSource(sources.find((source) => source.name === open));
  }
}

async function createSource(event) {
  event.preventDefault();
  await act(async () => {
    const created = await api('POST', '/v1/sources',
                              {name: $('source-name').value.trim(), kind: $('source-kind').value});
    $('source-name').value = '';
    await refreshSources();
    showSource(created.name);
  });
}

function showSource(name) {
  renderSource(state.sources.find((source) => source.name === name));
}

function copyButton(text) {
  return el('button', {type: 'button', class: 'quiet', onclick: async (event) => {
    try {
      await navigator.clipboard.writeText(text);
      event.target.textContent = 'Copied';
    } catch (error) {
      event.target.textContent = 'Select and copy';
    }
    setTimeout(() => { event.target.textContent = 'Copy'; }, 1500);
  }}, 'Copy');
}

function renderSource(source) {
  const card = $('source-detail');
  if (!source) {
    card.hidden = true;
    return;
  }
  card.dataset.source = source.name;
  card.hidden = false;
  const fromApi = source.origin === 'api';
  const keys = source.keys.map((key) => el('div', {'data-key-state': key.state},
      el('code', {class: 'write-key'}, key.write_key),
      el('span', {class: 'state-' + key.state}, key.state),
      copyButton(key.write_key),
      fromApi && key.state === 'active'
          ? el('button', {type: 'button', class: 'danger', onclick: () => act(async () => {
              await api('POST', '/v1/sources/' + source.name + '/keys/' + key.write_key + '/revoke');
              await refreshSources();
            })}, 'Revoke')
          : null));
  const active = source.keys.find((key) => key.state === 'active');
  card.replaceChildren(
      el('h2', {}, source.name),
      el('p', {class: 'hint'}, fromApi ? 'Created through the admin API.'
                                       : 'From the config file: change it there and reload.'),
      el('h3', {}, 'Write keys'), el('div', {class: 'keys'}, keys),
      fromApi ? el('button', {type: 'button', id: 'add-key', onclick: () => act(async () => {
        await api('POST', '/v1/sources/' + source.name + '/keys');
        await refreshSources();
      })}, 'Add a key (rotate)') : null,
      active ? snippets(source, active.write_key) : el('p', {class: 'hint'}, 'No active key.'));
}

function snippets(source, key) {
  const configured = state.workspace && state.workspace.publicHost;
  const host = configured || 'SLUICE_HOST:8080';
  const origin = (host.startsWith('localhost') || host.startsWith('127.') ? 'http://' : 'https://') + host;
  const blocks = [];
  if (source.kind === 'tracking') {
    blocks.push(['analytics.js (npm @segment/analytics-next)',
      "import { AnalyticsBrowser } from '@segment/analytics-next'\n\n" +
      'export const analytics = AnalyticsBrowser.load({\n' +
      "  writeKey: '" + key + "',\n  cdnURL: '" + origin + "',\n})\n\n" +
      "analytics.track('Signed Up', { plan: 'pro' })"]);
    blocks.push(['Node (@segment/analytics-node)',
      "const { Analytics } = require('@segment/analytics-node')\n\n" +
      "const analytics = new Analytics({ writeKey: '" + key + "', host: '" + origin + "' })\n" +
      "analytics.track({ userId: 'user-1', event: 'Signed Up', properties: { plan: 'pro' } })"]);
    blocks.push(['curl',
      'curl -u ' + key + ": " + origin + '/v1/track \\\n' +
      "  -H 'Content-Type: application/json' \\\n" +
      "  -d '{\"userId\":\"user-1\",\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro\"}}'"]);
  } else {
    blocks.push(['Webhook URL for ' + source.kind, origin + '/v1/webhook/' + key]);
  }
  return el('div', {class: 'snippets'},
            configured ? null
                       : el('p', {class: 'hint'}, 'Set server.public_host in the config to fill ' +
                                                      'in the address SDKs send to.'),
            blocks.map(([title, code]) => [el('h3', {}, title, ' ', copyButton(code)),
                                           el('pre', {}, code)]));
}

// --- Destinations ------------------------------------------------------------------------

function enterDestinations() {
  state.destinations = null;
  poll(() => act(refreshDestinations));
}

async function refreshDestinations() {
  const answer = await api('GET', '/v1/destinations');
  const now = performance.now();
  const before = state.destinations;
  const seconds = before ? (now - before.at) / 1000 : 0;
  const previous = new Map(before ? before.list.map((d) => [d.name, d]) : []);
  state.destinations = {at: now, list: answer.destinations};
  $('destination-rows').replaceChildren(...answer.destinations.map((destination) => {
    const old = previous.get(destination.name);
    const paused = destination.state === 'paused';
    return el('tr', {'data-destination': destination.name},
              el('td', {}, destination.name), el('td', {}, destination.type),
              el('td', {class: 'state-' + destination.state, title: destination.last_error || null},
                 destination.state),
              el('td', {}, destination.backlog_events + ' events'),
              el('td', {}, formatAge(destination.oldest_undelivered_age_ms)),
              el('td', {}, formatRate(destination.delivered_events, old && old.delivered_events, seconds)),
              el('td', {}, destination.dead_letters),
              el('td', {class: 'actions'},
                 el('button', {type: 'button', class: 'quiet', 'data-action': paused ? 'resume' : 'pause',
                               onclick: () => act(async () => {
                                 await api('POST', '/v1/destinations/' + destination.name +
                                                       (paused ? '/resume' : '/pause'));
                                 await refreshDestinations();
                               })}, paused ? 'Resume' : 'Pause'),
                 el('button', {type: 'button', class: 'quiet',
                               onclick: () => act(() => showDestination(destination))}, 'Replay & dead letters')));
  }));
}

async function showDestination(destination) {
  const card = $('destination-detail');
  const letters = await api('GET', '/v1/destinations/' + destination.name + '/dead-letters');
  const from = el('input', {type: 'datetime-local', required: true, step: 1});
  const replay = el('form', {class: 'toolbar', onsubmit: (event) => {
    event.preventDefault();
    act(async () => {
      const time = new Date(from.value);
      await api('POST', '/v1/destinations/' + destination.name + '/replay',
                {from_time: time.toISOString()});
      notice(destination.name + ' replays from ' + time.toLocaleString() + '.');
    });
  }}, el('label', {}, 'Replay from', from), el('button', {type: 'submit'}, 'Replay'));
  const rows = letters.dead_letters.map((letter) => el('tr', {},
      el('td', {}, letter.id), el('td', {}, letter.events), el('td', {}, letter.attempts),
      el('td', {}, letter.reason),
      el('td', {}, el('button', {type: 'button', class: 'quiet', onclick: () => act(async () => {
        await api('POST', '/v1/destinations/' + destination.name + '/dead-letters/' + letter.id +
                              '/redeliver');
        await showDestination(destination);
      })}, 'Redeliver'))));
  card.hidden = false;
  card.replaceChildren(
      el('h2', {}, destination.name),
      destination.last_error ? el('p', {class: 'error'}, 'Last error: ' + destination.last_error) : null,
      replay, el('h3', {}, 'Dead letters'),
      rows.length ? el('table', {class: 'list'},
                       el('thead', {}, el('tr', {}, ['Id', 'Events', 'Attempts', 'Reason', ''].map(
                                                      (title) => el('th', {}, title)))),
                       el('tbody', {}, rows))
                  : el('p', {class: 'hint'}, 'None.'));
}

// --- Event lookup ------------------------------------------------------------------------

async function enterLookup() {
  await act(async () => {
    await loadSources();
    fillSourcePicker($('lookup-source'), false);
  });
}

async function lookup(event) {
  event.preventDefault();
  const result = $('lookup-result');
  try {
    const found = await api('GET', eventPath($('lookup-id').value.trim(), $('lookup-source').value));
    result.replaceChildren(
        el('h3', {}, found.messageId + ' · sequence ' + found.sequence),
        deliveryTable(found),
        found.stored ? el('pre', {}, JSON.stringify(found.event, null, 2)) : null);
  } catch (error) {
    result.replaceChildren(el('p', {class: 'error'}, error.message));
  }
}

// --- Start -------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => showLogin());
  $('tail-pause').addEventListener('click', togglePause);
  $('tail-clear').addEventListener('click', () => $('tail-rows').replaceChildren());
  for (const id of ['tail-source', 'tail-type', 'tail-rejected']) {
    $(id).addEventListener('change', startTail);
  }
  $('tail-event').addEventListener('change', startTail);
  $('source-create').addEventListener('submit', createSource);
  $('lookup-form').addEventListener('submit', lookup);
  window.addEventListener('hashchange', route);
  if (state.token) {
    $('app').hidden = false;
    route();
  } else {
    showLogin();
  }
});
