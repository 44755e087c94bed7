'use strict';
// The fleet page: shows the parts its instance pushes as server-sent events (instances, control, calls, audit; see
// FleetFeed) and sends calls through the balancer on demand. Plain DOM and SVG: no build step, nothing fetched from
// elsewhere, so it works offline.
(() => {
  const STREAM = '../api/fleet/stream';
  const SEND = '../api/fleet/calls';
  const FIRST_RETRY_MS = 1000;
  const MAX_RETRY_MS = 10000;
  // the instance sends a ping after 15 s without a change: this much silence means the stream is gone
  const SILENCE_MS = 40000;
  const PALETTE = ['#0969da', '#1a7f37', '#bf3989', '#9a6700', '#8250df', '#cf222e', '#1b7c83', '#953800'];
  const OTHERS = 'others';
  const OTHERS_COLOR = '#8c959f';
  const SVG = 'http://www.w3.org/2000/svg';
  const WIDTH = 600;
  const HEIGHT = 140;

  const $ = id => document.getElementById(id);
  const colors = new Map();
  let source = null;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer = null;
  let silenceTimer = null;

  /** One colour per instance for as long as the page is open, the same in the table and the charts. */
  function colorOf(instance) {
    if (instance === OTHERS) {
      return OTHERS_COLOR;
    }
    if (!colors.has(instance)) {
      colors.set(instance, PALETTE[colors.size % PALETTE.length]);
    }
    return colors.get(instance);
  }

  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      element.setAttribute(name, value);
    }
    for (const child of children) {
      element.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
    }
    return element;
  }

  function svg(tag, attributes) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      element.setAttribute(name, value);
    }
    return element;
  }

  function swatch(instance) {
    const mark = el('span', { class: 'swatch' });
    mark.style.background = colorOf(instance);
    return mark;
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }

  function showProblem(id, problem) {
    $(id).hidden = !problem;
    $(id).textContent = problem || '';
  }

  function setConnection(state, text) {
    $('connection').dataset.state = state;
    $('connection').textContent = text;
  }

  function renderInstances(part) {
    $('service').textContent = part.service;
    $('seen-from').textContent = part.seenFrom;
    $('instance-count').textContent = part.total === part.shown.length ? `${part.total}`
      : `first ${part.shown.length} of ${part.total}`;
    showProblem('consul-problem', part.consulProblem);
    const rows = part.shown.map(member => {
      const address = `${member.address}:${member.port}`;
      const meta = member.meta || {};
      const number = value => value === null || value === undefined ? '' : `${value}`;
      return el('tr', { 'data-instance': member.consulId ?? address },
        el('td', {}, swatch(address), member.consulId ?? ''),
        el('td', {}, address),
        el('td', {}, [member.datacenter, meta.zone].filter(Boolean).join(' · ')),
        el('td', { class: `status-${member.status}` }, member.status ?? ''),
        el('td', {}, meta.version ?? ''),
        el('td', {}, meta.environment ?? ''),
        el('td', { class: 'number' }, meta.weight ?? ''),
        el('td', { class: 'number' }, member.estimateMillis === null ? '' : `${member.estimateMillis.toFixed(1)} ms`),
        el('td', { class: 'number' }, number(member.inFlight)),
        el('td', { class: 'number' }, number(member.consecutiveFailures)),
        el('td', { class: 'avoided' }, member.ejectedUntil ? `ejected until ${time(member.ejectedUntil)}`
          : member.avoided ?? ''));
    });
    $('instances').tBodies[0].replaceChildren(...rows);
    renderLevels(part);
  }

  function renderLevels(part) {
    const watched = part.datacenters || [];
    $('datacenters').hidden = watched.length < 2;
    $('datacenters').textContent = 'Watching ' + watched.map(dc =>
      `${dc.datacenter}: ${dc.instances} instances${dc.problem ? ' (not answering)' : ''}`).join(', ');
    const levels = part.levels || [];
    $('levels').hidden = levels.length === 0;
    $('levels').tBodies[0].replaceChildren(...levels.map(level => el('tr', { 'data-level': level.name },
      el('td', {}, level.name),
      el('td', { class: 'number' }, `${level.instances}`),
      el('td', { class: 'number' }, `${level.healthy}`),
      el('td', { class: 'number' }, `${level.healthPercent}%`),
      el('td', { class: 'number' }, `${level.trafficPercent}%`))));
  }

  function renderControl(part) {
    const leader = part.leader;
    $('leader-id').textContent = leader.leaderId ?? 'none';
    $('leader-note').textContent = leader.leader ? 'this instance leads' : (leader.consulProblem ?? '');
    const state = part.policy;
    const policy = state.policy;
    $('policy').textContent = policy ? `${policy.replicas} replicas (min ${policy.min}, max ${policy.max}),`
      + ` scale in: ${policy.scaleInOrder}` : 'none';
    $('policy').dataset.replicas = policy ? `${policy.replicas}` : '';
    $('policy-source').textContent = state.source;
    const refused = state.lastRejection;
    $('rejection-reason').textContent = refused ? refused.reason : 'none';
    $('rejection-source').textContent = refused ? `ModifyIndex ${refused.modifyIndex}, ${time(refused.at)}` : '';
  }

  function renderCalls(chart) {
    $('calls-window').textContent = `last ${chart.bucketSeconds * chart.buckets / 60} minutes,`
      + ` per ${chart.bucketSeconds} s`;
    const buckets = chart.buckets;
    const totals = Array.from({ length: buckets }, (_, i) => chart.series.reduce((sum, s) => sum + s.answered[i], 0));
    const share = $('share-chart');
    const latency = $('latency-chart');
    const bars = [];
    const lines = [];
    const slowest = Math.max(1, ...chart.series.flatMap(s => s.meanMillis.filter(m => m !== null)));
    const step = WIDTH / Math.max(1, buckets);
    const below = new Array(buckets).fill(0);
    for (const series of chart.series) {
      const color = colorOf(series.instance);
      const answered = series.answered.reduce((sum, n) => sum + n, 0);
      const group = svg('g', { 'data-series': series.instance, 'data-answered': answered, fill: color });
      series.answered.forEach((n, i) => {
        if (n > 0) {
          const height = HEIGHT * n / totals[i];
          group.append(svg('rect', { x: i * step, width: Math.max(1, step - 1), y: HEIGHT - below[i] - height,
            height }));
          below[i] += height;
        }
      });
      bars.push(group);
      const points = series.meanMillis.map((m, i) => m === null ? null
        : `${(i + 0.5) * step},${HEIGHT - HEIGHT * 0.95 * m / slowest}`).filter(point => point !== null);
      const line = svg('g', { 'data-series': series.instance, fill: color });
      line.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2,
        'vector-effect': 'non-scaling-stroke' }));
      // a mark per bucket, so that a single bucket shows too
      for (const point of points) {
        const [x, y] = point.split(',').map(Number);
        line.append(svg('rect', { x: x - step * 0.3, y: y - 1.5, width: step * 0.6, height: 3 }));
      }
      lines.push(line);
    }
    share.replaceChildren(...bars);
    share.dataset.newestBucket = `${totals.findLastIndex(total => total > 0)}`;
    latency.replaceChildren(...lines);
    latency.previousElementSibling.textContent = chart.series.length
      ? `Mean time of an answer, ms (top: ${(slowest / 0.95).toFixed(1)})` : 'Mean time of an answer, ms';
    $('legend').replaceChildren(...chart.series.map(series => {
      const answered = series.answered.reduce((sum, n) => sum + n, 0);
      const failed = series.failed.reduce((sum, n) => sum + n, 0);
      return el('li', { 'data-series': series.instance }, swatch(series.instance),
        `${series.instance}: ${answered} answered` + (failed ? `, ${failed} failed` : ''));
    }));
  }

  function renderAudit(part) {
    $('audit-key').textContent = part.key;
    showProblem('audit-problem', part.problem);
    $('audit').tBodies[0].replaceChildren(...part.events.map(event => el('tr', { 'data-event': event.event },
      el('td', {}, time(event.time)),
      el('td', {}, event.event),
      el('td', {}, event.instance ?? ''),
      el('td', {}, event.old === null && event.new === null ? '' : `${event.old ?? '–'} → ${event.new ?? '–'}`),
      el('td', {}, event.reason ?? ''),
      el('td', { title: event.traceId ?? '' }, (event.traceId ?? '').slice(0, 8)))));
  }

  const PARTS = { instances: renderInstances, control: renderControl, calls: renderCalls, audit: renderAudit,
    ping: () => {} };

  /** A stream that says nothing for too long is gone (a network that dropped it silently): start again. */
  function expectMore() {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(connect, SILENCE_MS);
  }

  function connect() {
    clearTimeout(retryTimer);
    if (source) {
      source.close();
    }
    source = new EventSource(STREAM);
    source.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      setConnection('live', 'live');
      expectMore();
    };
    source.onerror = () => {
      setConnection('reconnecting', 'reconnecting…');
      // the browser reconnects by itself after a stream ended or a refused connection; after an answer that is no
      // stream (an instance shutting down answers 503) it gives up: start again, less and less often
      if (source.readyState === EventSource.CLOSED) {
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      }
    };
    for (const [name, render] of Object.entries(PARTS)) {
      source.addEventListener(name, message => {
        expectMore();
        render(JSON.parse(message.data));
      });
    }
  }

  $('send').addEventListener('submit', async event => {
    event.preventDefault();
    const output = $('sent');
    output.textContent = 'sending…';
    try {
      const answer = await fetch(`${SEND}?count=${encodeURIComponent($('call-count').value)}`);
      const body = await answer.json();
      output.textContent = answer.ok ? `${body.calls} calls: ${body.answered} answered, ${body.failed} failed`
        : body.error;
    } catch (failure) {
      output.textContent = `not sent: ${failure.message}`;
    }
  });

  connect();
})();
