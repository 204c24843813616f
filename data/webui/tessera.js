// SPDX-License-Identifier: GPL-3.0-or-later
//
// Tessera's web interface: plain ES2017, no framework, no build step. It
// talks to the Transmission RPC (rpc-version 14 to 17) at /transmission/rpc
// and to nothing else, so it works against Tessera's daemon and against
// transmission-daemon alike.

'use strict';

// Every text a person reads, in one table, so that it can be translated
// in one place (gettext does not reach this page). {0}, {1} are filled in
// by text ().
const TEXT = {
  add: 'Add',
  addTitle: 'Add a torrent',
  addLink: 'Magnet link or URL',
  addLinkPlaceholder: 'magnet:?xt=urn:btih:…',
  addFile: 'Or a .torrent file',
  addNothing: 'Give a magnet link, a URL or a .torrent file.',
  added: 'Added “{0}”.',
  duplicate: '“{0}” is already in the list.',
  address: 'Address',
  allLabels: 'All labels',
  altSpeed: 'Alternative speed',
  altSpeedLimits: 'Alternative speed limits',
  altSpeedOn: 'Use the alternative limits',
  altDays: 'On these days (from the start time)',
  altDown: 'Download (kB/s)',
  altFrom: 'From',
  altSchedule: 'Turn them on by schedule',
  altTo: 'To',
  altUp: 'Upload (kB/s)',
  authNeeded: 'Sign-in failed: the server wants a user name and password. Reload the page to sign in again.',
  cancel: 'Cancel',
  client: 'Client',
  close: 'Close',
  details: 'Details',
  detailsOf: 'Details of {0}',
  dayFriday: 'Friday',
  dayMonday: 'Monday',
  daySaturday: 'Saturday',
  daySunday: 'Sunday',
  dayThursday: 'Thursday',
  dayTuesday: 'Tuesday',
  dayWednesday: 'Wednesday',
  downloadDir: 'Download folder',
  downRate: 'Down',
  eta: 'ETA',
  etaUnknown: 'unknown',
  files: 'Files',
  hashLabel: 'Info hash',
  httpError: 'The server answered {0}.',
  labelFilter: 'Show',
  labels: 'Labels',
  labelsHint: 'Separated by commas',
  labelsSave: 'Save labels',
  labelsSaved: 'Labels saved.',
  lastAnnounce: 'Last announce',
  leechers: 'Leechers',
  limitDown: 'Limit download speed',
  limitDownValue: 'Download limit (kB/s)',
  limitUp: 'Limit upload speed',
  limitUpValue: 'Upload limit (kB/s)',
  location: 'Location',
  name: 'Name',
  network: 'Network',
  never: 'never',
  noTorrents: 'No torrents yet: add one with a magnet link, a URL or a .torrent file.',
  notReachable: 'The server cannot be reached: {0}',
  peerPort: 'Peer port',
  peers: 'Peers',
  pieces: 'Pieces',
  piecesLabel: '{0} of {1} pieces',
  preferences: 'Preferences',
  prefsSaved: 'Preferences saved.',
  priority: 'Priority',
  priorityFor: 'Priority of {0}',
  priorityHigh: 'High',
  priorityLow: 'Low',
  priorityNormal: 'Normal',
  progress: 'Progress',
  progressOf: 'Progress of {0}',
  queue: 'Queue',
  queueBottom: 'Bottom',
  queueBottomOf: 'Move {0} to the bottom of the queue',
  queueDown: 'Down',
  queueDownOf: 'Move {0} down the queue',
  queuePosition: 'Queue position',
  queuePositionValue: '#{0}',
  queueTop: 'Top',
  queueTopOf: 'Move {0} to the top of the queue',
  queueUp: 'Up',
  queueUpOf: 'Move {0} up the queue',
  ratio: 'Ratio',
  ratioValue: 'Seeding ratio',
  ratioInfinite: '∞',
  remove: 'Remove',
  removeData: 'Also delete the downloaded data',
  removeOf: 'Remove {0}',
  removeText: 'Remove “{0}” from the list?',
  removeTitle: 'Remove torrent',
  rpcError: 'The server refused: {0}',
  save: 'Save',
  seeders: 'Seeders',
  seeding: 'Seeding',
  size: 'Size',
  speedLimits: 'Speed limits',
  start: 'Start',
  startNow: 'Start when added',
  startOf: 'Start {0}',
  stateCheckWait: 'Queued for verification',
  stateChecking: 'Verifying',
  stateDownloadWait: 'Queued',
  stateDownloading: 'Downloading',
  stateError: 'Error: {0}',
  stateMetadata: 'Fetching metadata',
  stateSeedWait: 'Queued for seeding',
  stateSeeding: 'Seeding',
  stateStopped: 'Stopped',
  stop: 'Stop',
  stopAtRatio: 'Stop seeding at ratio',
  stopOf: 'Stop {0}',
  totals: '↓ {0} ↑ {1}',
  tier: 'Tier',
  tracker: 'Tracker',
  trackerAdd: 'Add tracker',
  trackerAddUrl: 'Announce URL',
  trackerAddPlaceholder: 'http://tracker.example/announce',
  trackerRemove: 'Remove',
  trackerRemoveOf: 'Remove the tracker {0}',
  trackers: 'Trackers',
  torrents: 'Torrents',
  upRate: 'Up',
  verify: 'Verify',
  verifyOf: 'Verify {0}',
  versionLabel: 'Server: {0}, RPC version {1}',
  wanted: 'Get',
  wantedFor: 'Download {0}',
  unitB: '{0} B',
  unitKB: '{0} kB',
  unitMB: '{0} MB',
  unitGB: '{0} GB',
  unitTB: '{0} TB',
  unitRate: '{0}/s',
  unitHours: '{0} h {1} min',
  unitMinutes: '{0} min {1} s',
  unitSeconds: '{0} s',
  unitDays: '{0} d {1} h'
};

function text (key, ...args) {
  const template = Object.prototype.hasOwnProperty.call(TEXT, key) ? TEXT[key] : key;
  return template.replace(/\{(\d+)\}/g, (match, n) => String(args[Number(n)]));
}

const RPC_URL = '/transmission/rpc';
const SESSION_HEADER = 'X-Transmission-Session-Id';
const REFRESH_MS = 2000;

// torrent-get statuses (rpc-spec, "status").
const STATUS = ['stateStopped', 'stateCheckWait', 'stateChecking', 'stateDownloadWait',
  'stateDownloading', 'stateSeedWait', 'stateSeeding'];

const LIST_FIELDS = ['id', 'name', 'status', 'error', 'errorString', 'percentDone', 'rateDownload',
  'rateUpload', 'eta', 'uploadRatio', 'totalSize', 'sizeWhenDone', 'leftUntilDone',
  'metadataPercentComplete', 'recheckProgress', 'isFinished', 'hashString', 'labels', 'queuePosition'];
const DETAIL_FIELDS = ['id', 'name', 'hashString', 'downloadDir', 'totalSize', 'pieces', 'pieceCount',
  'pieceSize', 'files', 'fileStats', 'peers', 'trackerStats', 'status', 'percentDone', 'labels',
  'queuePosition'];
const SESSION_FIELDS = ['download-dir', 'speed-limit-down', 'speed-limit-down-enabled', 'speed-limit-up',
  'speed-limit-up-enabled', 'alt-speed-down', 'alt-speed-up', 'alt-speed-enabled', 'alt-speed-time-enabled',
  'alt-speed-time-begin', 'alt-speed-time-end', 'alt-speed-time-day', 'peer-port',
  'seedRatioLimit', 'seedRatioLimited', 'rpc-version', 'version'];

class RpcError extends Error {
  constructor (message, kind) {
    super(message);
    this.kind = kind;
  }
}

// One RPC round trip, with the session id handshake: a 409 carries the id
// to send from now on, and the request is sent again once with it.
class Rpc {
  constructor (url) {
    this.url = url;
    this.sessionId = null;
  }

  async call (method, args) {
    const body = JSON.stringify({ method: method, arguments: args || {} });
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers = { 'Content-Type': 'application/json' };
      if (this.sessionId !== null) {
        headers[SESSION_HEADER] = this.sessionId;
      }
      let response;
      try {
        response = await fetch(this.url, { method: 'POST', headers: headers, body: body,
          credentials: 'same-origin', cache: 'no-store' });
      } catch (error) {
        throw new RpcError(text('notReachable', error.message), 'network');
      }
      if (response.status === 409) {
        this.sessionId = response.headers.get(SESSION_HEADER);
        continue;
      }
      if (response.status === 401) {
        throw new RpcError(text('authNeeded'), 'auth');
      }
      if (!response.ok) {
        throw new RpcError(text('httpError', response.status + ' ' + response.statusText), 'http');
      }
      const reply = await response.json();
      if (reply.result !== 'success') {
        throw new RpcError(text('rpcError', reply.result), 'rpc');
      }
      return reply.arguments || {};
    }
    throw new RpcError(text('httpError', 409), 'http');
  }
}

// Formatting.

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const ratioFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function formatSize (bytes) {
  const units = ['unitB', 'unitKB', 'unitMB', 'unitGB', 'unitTB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return text(units[unit], numberFormat.format(value));
}

function formatRate (bytesPerSecond) {
  return text('unitRate', formatSize(bytesPerSecond));
}

function formatEta (seconds) {
  if (seconds < 0) {
    return text('etaUnknown');   // -1: not available, -2: unknown
  }
  if (seconds < 60) {
    return text('unitSeconds', seconds);
  }
  if (seconds < 3600) {
    return text('unitMinutes', Math.floor(seconds / 60), seconds % 60);
  }
  if (seconds < 86400) {
    return text('unitHours', Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60);
  }
  return text('unitDays', Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24);
}

function formatRatio (ratio) {
  if (ratio === -2) {
    return text('ratioInfinite');
  }
  return ratio < 0 ? '—' : ratioFormat.format(ratio);
}

function formatPercent (fraction) {
  return numberFormat.format(Math.floor(fraction * 1000) / 10) + ' %';
}

function stateText (torrent) {
  if (torrent.error) {
    return text('stateError', torrent.errorString);
  }
  if (torrent.status !== 0 && torrent.metadataPercentComplete < 1) {
    return text('stateMetadata') + ' ' + formatPercent(torrent.metadataPercentComplete);
  }
  if (torrent.status === 2) {
    return text('stateChecking') + ' ' + formatPercent(torrent.recheckProgress);
  }
  return text(STATUS[torrent.status] || 'stateStopped');
}

// DOM helpers.

function $ (id) {
  return document.getElementById(id);
}

function element (tag, className, content) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (content !== undefined) {
    node.textContent = content;
  }
  return node;
}

function translatePage () {
  for (const node of document.querySelectorAll('[data-text]')) {
    node.textContent = text(node.dataset.text);
  }
  for (const node of document.querySelectorAll('[data-placeholder]')) {
    node.placeholder = text(node.dataset.placeholder);
  }
}

let messageTimer = 0;

function showMessage (message, isError) {
  const node = $('message');
  node.textContent = message;
  node.classList.toggle('error', Boolean(isError));
  node.hidden = false;
  clearTimeout(messageTimer);
  if (!isError) {
    messageTimer = setTimeout(() => { node.hidden = true; }, 5000);
  }
}

function clearError () {
  const node = $('message');
  if (node.classList.contains('error')) {
    node.hidden = true;
  }
}

// base64 to bytes; atob () gives one character per byte.
function decodeBase64 (data) {
  const binary = atob(data || '');
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

// The application.

// From the origin, not relative to the page: a page opened as
// http://user:password@host/ has its credentials in its own URL, and
// fetch refuses a URL that carries them (the browser sends them from its
// store instead).
const rpc = new Rpc(location.origin + RPC_URL);
const rows = new Map();      // torrent id → its list item's parts
let torrents = new Map();    // torrent id → the last torrent-get object
let selectedId = null;
let detailsBuiltFor = null;  // the torrent id and file count the files table was built for
let session = {};
let removingId = null;
let refreshing = false;
let labelFilter = '';        // the label the list shows, '' for all
let trackersBuiltFor = null; // the trackers (ids and URLs) the trackers table was built for

// A row: on a phone a card (the name, the bar, then the numbers as they
// wrap), on a wide screen one line whose parts are the columns
// (tessera.css), so each number has its own element.
function buildRow (torrent) {
  const item = element('li', 'torrent');
  const parts = { item: item };
  parts.name = element('h3', 'torrent-name');
  parts.labels = element('span', 'torrent-labels');
  parts.progress = element('progress', 'torrent-progress');
  parts.progress.max = 1;
  parts.size = element('span', 'torrent-size');
  parts.state = element('span', 'torrent-state');
  parts.down = element('span', 'torrent-down');
  parts.up = element('span', 'torrent-up');
  parts.eta = element('span', 'torrent-eta');
  parts.ratio = element('span', 'torrent-ratio');
  parts.queue = element('span', 'torrent-queue');
  const line = element('div', 'torrent-line');
  line.append(parts.labels, parts.size, parts.progress, parts.state, parts.down, parts.up, parts.eta,
    parts.ratio, parts.queue);
  const buttons = element('div', 'torrent-buttons');
  parts.toggle = element('button', 'toggle');
  parts.toggle.type = 'button';
  parts.toggle.addEventListener('click', () => toggleTorrent(torrent.id));
  parts.verify = element('button', 'verify', text('verify'));
  parts.verify.type = 'button';
  parts.verify.addEventListener('click', () => torrentAction('torrent-verify', torrent.id));
  parts.remove = element('button', 'remove destructive', text('remove'));
  parts.remove.type = 'button';
  parts.remove.addEventListener('click', () => openRemove(torrent.id));
  parts.details = element('button', 'details-open', text('details'));
  parts.details.type = 'button';
  parts.details.setAttribute('aria-controls', 'details');
  parts.details.addEventListener('click', () => openDetails(torrent.id));
  buttons.append(parts.toggle, parts.verify, parts.remove, parts.details);
  item.append(parts.name, line, buttons);
  item.dataset.id = torrent.id;
  return parts;
}

function updateRow (parts, torrent) {
  const stopped = torrent.status === 0;
  parts.name.textContent = torrent.name;
  parts.progress.value = torrent.percentDone;
  parts.progress.setAttribute('aria-label', text('progressOf', torrent.name));
  parts.state.textContent = stateText(torrent) + ' · ' + formatPercent(torrent.percentDone);
  parts.size.textContent = formatSize(torrent.sizeWhenDone || torrent.totalSize);
  parts.down.textContent = '↓ ' + formatRate(torrent.rateDownload);
  parts.up.textContent = '↑ ' + formatRate(torrent.rateUpload);
  parts.eta.textContent = !stopped && torrent.leftUntilDone > 0 ? text('eta') + ' ' + formatEta(torrent.eta) : '';
  parts.ratio.textContent = text('ratio') + ' ' + formatRatio(torrent.uploadRatio);
  parts.queue.textContent = text('queuePositionValue', torrent.queuePosition + 1);
  parts.queue.title = text('queuePosition');
  const labels = torrent.labels || [];
  if (parts.labels.dataset.labels !== labels.join('\n')) {
    parts.labels.textContent = '';
    for (const label of labels) {
      parts.labels.append(element('span', 'label', label));
    }
    parts.labels.dataset.labels = labels.join('\n');
    parts.labels.title = labels.join(', ');
  }
  parts.item.hidden = labelFilter !== '' && !labels.includes(labelFilter);
  parts.toggle.textContent = stopped ? text('start') : text('stop');
  parts.toggle.setAttribute('aria-label', text(stopped ? 'startOf' : 'stopOf', torrent.name));
  parts.verify.setAttribute('aria-label', text('verifyOf', torrent.name));
  parts.remove.setAttribute('aria-label', text('removeOf', torrent.name));
  parts.details.setAttribute('aria-label', text('detailsOf', torrent.name));
  parts.details.setAttribute('aria-expanded', String(selectedId === torrent.id));
  parts.item.dataset.status = String(torrent.status);
  parts.item.classList.toggle('selected', selectedId === torrent.id);
  parts.item.classList.toggle('error', Boolean(torrent.error));
}

function renderList (list) {
  const container = $('torrent-list');
  let down = 0;
  let up = 0;
  list.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  for (const [id, parts] of rows) {
    if (!list.some((t) => t.id === id)) {
      parts.item.remove();
      rows.delete(id);
    }
  }
  list.forEach((torrent, index) => {
    let parts = rows.get(torrent.id);
    if (!parts) {
      parts = buildRow(torrent);
      rows.set(torrent.id, parts);
    }
    updateRow(parts, torrent);
    // Moved only when out of place: moving a row takes the keyboard
    // focus away from its buttons.
    if (container.children[index] !== parts.item) {
      container.insertBefore(parts.item, container.children[index] || null);
    }
    down += torrent.rateDownload;
    up += torrent.rateUpload;
  });
  torrents = new Map(list.map((t) => [t.id, t]));
  updateLabelFilter(list);
  $('empty').hidden = list.length > 0;
  $('totals').textContent = text('totals', formatRate(down), formatRate(up));
  if (selectedId !== null && !torrents.has(selectedId)) {
    closeDetails();
  }
}

// The filter's choices: every label some torrent has, and the one
// chosen even when no torrent has it any more.
function updateLabelFilter (list) {
  const select = $('label-filter');
  const labels = new Set();
  for (const torrent of list) {
    for (const label of torrent.labels || []) {
      labels.add(label);
    }
  }
  if (labelFilter !== '') {
    labels.add(labelFilter);
  }
  const sorted = [...labels].sort((a, b) => a.localeCompare(b));
  const key = sorted.join('\n');
  if (select.dataset.labels === key) {
    return;
  }
  select.textContent = '';
  const all = element('option', null, text('allLabels'));
  all.value = '';
  select.append(all);
  for (const label of sorted) {
    const option = element('option', null, label);
    option.value = label;
    select.append(option);
  }
  select.value = labelFilter;
  select.dataset.labels = key;
}

function setLabelFilter (label) {
  labelFilter = label;
  for (const [id, parts] of rows) {
    const torrent = torrents.get(id);
    parts.item.hidden = labelFilter !== '' && !(torrent && (torrent.labels || []).includes(labelFilter));
  }
}

// The pieces bar: one column per pixel, as dark as the share of its
// pieces that are here.
function drawPieces (canvas, bitfield, pieceCount) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext('2d');
  const style = getComputedStyle(canvas);
  context.fillStyle = style.backgroundColor;
  context.fillRect(0, 0, width, height);
  if (!pieceCount) {
    return 0;
  }
  const bytes = decodeBase64(bitfield);
  const have = (i) => (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  let total = 0;
  context.fillStyle = style.color;
  for (let x = 0; x < width; x++) {
    const first = Math.floor(x * pieceCount / width);
    const end = Math.max(first + 1, Math.floor((x + 1) * pieceCount / width));
    let count = 0;
    for (let i = first; i < end; i++) {
      count += have(i);
    }
    if (count > 0) {
      context.globalAlpha = count / (end - first);
      context.fillRect(x, 0, 1, height);
    }
  }
  context.globalAlpha = 1;
  for (let i = 0; i < pieceCount; i++) {
    total += have(i);
  }
  return total;
}

function fact (list, label, value) {
  list.append(element('dt', null, label), element('dd', null, value));
}

function buildFiles (torrent) {
  const body = $('files').tBodies[0];
  body.textContent = '';
  torrent.files.forEach((file, index) => {
    const row = element('tr');
    const wanted = element('input');
    wanted.type = 'checkbox';
    wanted.setAttribute('aria-label', text('wantedFor', file.name));
    wanted.addEventListener('change', () => {
      const key = wanted.checked ? 'files-wanted' : 'files-unwanted';
      torrentSet(torrent.id, { [key]: [index] });
    });
    const priority = element('select');
    priority.setAttribute('aria-label', text('priorityFor', file.name));
    for (const [value, key] of [[-1, 'priorityLow'], [0, 'priorityNormal'], [1, 'priorityHigh']]) {
      const option = element('option', null, text(key));
      option.value = String(value);
      priority.append(option);
    }
    priority.addEventListener('change', () => {
      const key = { '-1': 'priority-low', 0: 'priority-normal', 1: 'priority-high' }[priority.value];
      torrentSet(torrent.id, { [key]: [index] });
    });
    const wantedCell = element('td');
    wantedCell.append(wanted);
    const priorityCell = element('td');
    priorityCell.append(priority);
    row.append(wantedCell, element('td', 'file-name', file.name), element('td', 'number'), priorityCell);
    body.append(row);
  });
}

function updateFiles (torrent) {
  const body = $('files').tBodies[0];
  torrent.files.forEach((file, index) => {
    const row = body.rows[index];
    const stats = torrent.fileStats[index];
    const wanted = row.cells[0].firstChild;
    const priority = row.cells[3].firstChild;
    // Not under the user's hands: a change they are making stays.
    if (document.activeElement !== wanted) {
      wanted.checked = stats.wanted;
    }
    if (document.activeElement !== priority) {
      priority.value = String(stats.priority);
    }
    row.cells[2].textContent = file.length ? formatPercent(file.bytesCompleted / file.length) : '—';
  });
}

function fillTable (table, items, cellsOf) {
  const body = table.tBodies[0];
  body.textContent = '';
  for (const item of items) {
    const row = element('tr');
    for (const [value, className] of cellsOf(item)) {
      row.append(element('td', className, value));
    }
    body.append(row);
  }
}

function renderDetails (torrent) {
  $('details-name').textContent = torrent.name;
  const facts = $('details-facts');
  facts.textContent = '';
  fact(facts, text('size'), formatSize(torrent.totalSize));
  fact(facts, text('location'), torrent.downloadDir);
  fact(facts, text('hashLabel'), torrent.hashString);
  const canvas = $('pieces-bar');
  const have = drawPieces(canvas, torrent.pieces, torrent.pieceCount);
  canvas.setAttribute('aria-label', text('piecesLabel', have, torrent.pieceCount));
  canvas.dataset.have = String(have);
  canvas.dataset.count = String(torrent.pieceCount);
  const key = torrent.id + ':' + torrent.files.length;
  if (detailsBuiltFor !== key) {
    buildFiles(torrent);
    detailsBuiltFor = key;
  }
  updateFiles(torrent);
  fillTable($('peers'), torrent.peers, (peer) => [
    [peer.address, null], [peer.clientName, null], [formatPercent(peer.progress), 'number'],
    [formatRate(peer.rateToClient), 'number'], [formatRate(peer.rateToPeer), 'number']]);
  updateTrackers(torrent);
  const labels = $('details-labels');
  // Not under the user's hands, as with the files.
  const labelsKey = String(torrent.id) + ':' + (torrent.labels || []).join(',');
  if (document.activeElement !== labels && labels.dataset.id !== labelsKey) {
    labels.value = (torrent.labels || []).join(', ');
    labels.dataset.id = labelsKey;
  }
  $('details-queue').textContent = text('queuePositionValue', torrent.queuePosition + 1);
  for (const [id, key] of [['queue-top', 'queueTopOf'], ['queue-up', 'queueUpOf'], ['queue-down', 'queueDownOf'],
    ['queue-bottom', 'queueBottomOf']]) {
    $(id).setAttribute('aria-label', text(key, torrent.name));
  }
}

// The trackers table is rebuilt only when the trackers change (its
// remove buttons keep the focus across refreshes), else its cells are
// updated.
function updateTrackers (torrent) {
  const body = $('trackers').tBodies[0];
  const stats = torrent.trackerStats;
  const key = torrent.id + ':' + stats.map((t) => t.id + ' ' + t.announce).join('\n');
  if (trackersBuiltFor !== key) {
    body.textContent = '';
    for (const tracker of stats) {
      const row = element('tr');
      row.append(element('td', 'file-name', tracker.announce), element('td', 'number'), element('td'),
        element('td', 'number'), element('td', 'number'));
      const remove = element('button', 'tracker-remove destructive', text('trackerRemove'));
      remove.type = 'button';
      remove.setAttribute('aria-label', text('trackerRemoveOf', tracker.announce));
      remove.addEventListener('click', () => torrentSet(torrent.id, { trackerRemove: [tracker.id] }));
      const cell = element('td');
      cell.append(remove);
      row.append(cell);
      body.append(row);
    }
    trackersBuiltFor = key;
  }
  stats.forEach((tracker, index) => {
    const cells = body.rows[index].cells;
    cells[1].textContent = String(tracker.tier + 1);
    cells[2].textContent = tracker.hasAnnounced ? tracker.lastAnnounceResult : text('never');
    cells[3].textContent = tracker.seederCount < 0 ? '—' : String(tracker.seederCount);
    cells[4].textContent = tracker.leecherCount < 0 ? '—' : String(tracker.leecherCount);
  });
}

function saveLabels () {
  const labels = $('details-labels').value.split(',').map((l) => l.trim()).filter((l) => l !== '');
  const id = selectedId;
  return perform(async () => {
    await rpc.call('torrent-set', { ids: [id], labels: labels });
    showMessage(text('labelsSaved'), false);
  });
}

function addTracker (event) {
  event.preventDefault();
  const input = $('tracker-add-url');
  const url = input.value.trim();
  if (url === '' || selectedId === null) {
    return;
  }
  input.value = '';
  torrentSet(selectedId, { trackerAdd: [url] });
}

async function refresh () {
  if (refreshing) {
    return;
  }
  refreshing = true;
  try {
    const reply = await rpc.call('torrent-get', { fields: LIST_FIELDS });
    renderList(reply.torrents);
    if (selectedId !== null) {
      const detail = await rpc.call('torrent-get', { ids: [selectedId], fields: DETAIL_FIELDS });
      if (detail.torrents.length > 0 && selectedId === detail.torrents[0].id) {
        renderDetails(detail.torrents[0]);
      }
    }
    clearError();
  } catch (error) {
    showMessage(error.message, true);
  } finally {
    refreshing = false;
  }
}

async function perform (work) {
  try {
    await work();
  } catch (error) {
    showMessage(error.message, true);
  }
  await refresh();
}

function torrentAction (method, id) {
  return perform(() => rpc.call(method, { ids: [id] }));
}

function torrentSet (id, args) {
  return perform(() => rpc.call('torrent-set', Object.assign({ ids: [id] }, args)));
}

function toggleTorrent (id) {
  const torrent = torrents.get(id);
  return torrentAction(torrent && torrent.status === 0 ? 'torrent-start' : 'torrent-stop', id);
}

function openDetails (id) {
  selectedId = id;
  detailsBuiltFor = null;
  trackersBuiltFor = null;
  $('details-labels').dataset.id = '';
  const torrent = torrents.get(id);
  $('details-name').textContent = torrent ? torrent.name : '';
  $('details').hidden = false;
  document.body.classList.add('with-details');
  refresh().then(() => $('details-close').focus());
}

function closeDetails () {
  const id = selectedId;
  selectedId = null;
  detailsBuiltFor = null;
  $('details').hidden = true;
  document.body.classList.remove('with-details');
  const parts = rows.get(id);
  if (parts) {
    parts.details.setAttribute('aria-expanded', 'false');
    parts.item.classList.remove('selected');
    parts.details.focus();
  }
}

function openRemove (id) {
  const torrent = torrents.get(id);
  removingId = id;
  $('remove-text').textContent = text('removeText', torrent ? torrent.name : id);
  $('remove-data').checked = false;
  $('remove-dialog').showModal();
}

function readFileBase64 (file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function submitAdd (event) {
  event.preventDefault();
  const link = $('add-link').value.trim();
  const file = $('add-file').files[0];
  const error = $('add-error');
  const args = { paused: !$('add-start').checked };
  const dir = $('add-dir').value.trim();
  if (dir) {
    args['download-dir'] = dir;
  }
  if (file) {
    args.metainfo = await readFileBase64(file);
  } else if (link) {
    args.filename = link;
  } else {
    error.textContent = text('addNothing');
    error.hidden = false;
    $('add-link').focus();
    return;
  }
  try {
    const reply = await rpc.call('torrent-add', args);
    $('add-dialog').close();
    if (reply['torrent-duplicate']) {
      showMessage(text('duplicate', reply['torrent-duplicate'].name), false);
    } else if (reply['torrent-added']) {
      showMessage(text('added', reply['torrent-added'].name), false);
    }
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    return;
  }
  await refresh();
}

function openAdd () {
  $('add-form').reset();
  $('add-error').hidden = true;
  $('add-dir').value = session['download-dir'] || '';
  $('add-dialog').showModal();
  $('add-link').focus();
}

const PREFS = [
  ['pref-download-dir', 'download-dir', 'text'],
  ['pref-down-enabled', 'speed-limit-down-enabled', 'check'],
  ['pref-down', 'speed-limit-down', 'int'],
  ['pref-up-enabled', 'speed-limit-up-enabled', 'check'],
  ['pref-up', 'speed-limit-up', 'int'],
  ['pref-alt-enabled', 'alt-speed-enabled', 'check'],
  ['pref-alt-down', 'alt-speed-down', 'int'],
  ['pref-alt-up', 'alt-speed-up', 'int'],
  ['pref-alt-time-enabled', 'alt-speed-time-enabled', 'check'],
  ['pref-alt-begin', 'alt-speed-time-begin', 'time'],
  ['pref-alt-end', 'alt-speed-time-end', 'time'],
  ['pref-alt-days', 'alt-speed-time-day', 'days'],
  ['pref-port', 'peer-port', 'int'],
  ['pref-ratio-enabled', 'seedRatioLimited', 'check'],
  ['pref-ratio', 'seedRatioLimit', 'float']
];

// alt-speed-time-begin/end are minutes after midnight; <input type=time>
// has "HH:MM".
function minutesToTime (minutes) {
  const pad = (n) => String(n).padStart(2, '0');
  return pad(Math.floor(minutes / 60) % 24) + ':' + pad(minutes % 60);
}

function timeToMinutes (value) {
  const match = /^(\d{2}):(\d{2})/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

// alt-speed-time-day: bit 0 is Sunday (pref-day-0) … bit 6 Saturday.
function setDays (mask) {
  for (let day = 0; day < 7; day++) {
    $('pref-day-' + day).checked = Boolean(mask & (1 << day));
  }
}

function readDays () {
  let mask = 0;
  for (let day = 0; day < 7; day++) {
    mask |= $('pref-day-' + day).checked ? 1 << day : 0;
  }
  return mask;
}

async function loadSession () {
  session = await rpc.call('session-get', { fields: SESSION_FIELDS });
  const alt = $('alt-speed');
  alt.setAttribute('aria-pressed', String(Boolean(session['alt-speed-enabled'])));
  $('prefs-version').textContent = text('versionLabel', session.version, session['rpc-version']);
  return session;
}

async function openPrefs () {
  try {
    await loadSession();
  } catch (error) {
    showMessage(error.message, true);
    return;
  }
  for (const [id, key, kind] of PREFS) {
    if (kind === 'check') {
      $(id).checked = Boolean(session[key]);
    } else if (kind === 'time') {
      $(id).value = session[key] === undefined ? '' : minutesToTime(session[key]);
    } else if (kind === 'days') {
      setDays(session[key] || 0);
    } else {
      $(id).value = session[key] === undefined ? '' : String(session[key]);
    }
  }
  $('prefs-error').hidden = true;
  $('prefs-dialog').showModal();
}

async function savePrefs (event) {
  event.preventDefault();
  const form = $('prefs-form');
  if (!form.reportValidity()) {
    return;
  }
  const args = {};
  for (const [id, key, kind] of PREFS) {
    const input = $(id);
    if (kind === 'check') {
      args[key] = input.checked;
    } else if (kind === 'days') {
      args[key] = readDays();
    } else if (kind === 'time') {
      if (timeToMinutes(input.value) !== null) {
        args[key] = timeToMinutes(input.value);
      }
    } else if (kind === 'text') {
      args[key] = input.value;
    } else if (input.value !== '') {
      args[key] = kind === 'int' ? parseInt(input.value, 10) : parseFloat(input.value);
    }
  }
  try {
    await rpc.call('session-set', args);
    await loadSession();
  } catch (error) {
    $('prefs-error').textContent = error.message;
    $('prefs-error').hidden = false;
    return;
  }
  $('prefs-dialog').close();
  showMessage(text('prefsSaved'), false);
}

async function toggleAltSpeed () {
  const on = $('alt-speed').getAttribute('aria-pressed') !== 'true';
  try {
    await rpc.call('session-set', { 'alt-speed-enabled': on });
    await loadSession();
  } catch (error) {
    showMessage(error.message, true);
  }
}

function start () {
  translatePage();
  $('add-open').addEventListener('click', openAdd);
  $('add-cancel').addEventListener('click', () => $('add-dialog').close());
  $('add-form').addEventListener('submit', submitAdd);
  $('remove-cancel').addEventListener('click', () => $('remove-dialog').close());
  $('remove-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = removingId;
    const withData = $('remove-data').checked;
    $('remove-dialog').close();
    perform(() => rpc.call('torrent-remove', { ids: [id], 'delete-local-data': withData }));
  });
  $('prefs-open').addEventListener('click', openPrefs);
  $('prefs-cancel').addEventListener('click', () => $('prefs-dialog').close());
  $('prefs-form').addEventListener('submit', savePrefs);
  $('alt-speed').addEventListener('click', toggleAltSpeed);
  $('details-close').addEventListener('click', closeDetails);
  $('label-filter').addEventListener('change', () => setLabelFilter($('label-filter').value));
  $('labels-form').addEventListener('submit', (event) => {
    event.preventDefault();
    saveLabels();
  });
  $('tracker-add-form').addEventListener('submit', addTracker);
  for (const [id, method] of [['queue-top', 'queue-move-top'], ['queue-up', 'queue-move-up'],
    ['queue-down', 'queue-move-down'], ['queue-bottom', 'queue-move-bottom']]) {
    $(id).addEventListener('click', () => torrentAction(method, selectedId));
  }
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && selectedId !== null && !document.querySelector('dialog[open]')) {
      closeDetails();
    }
  });
  loadSession().catch((error) => showMessage(error.message, true));
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', start);
