/* salesbook search: the header box (a few results as you type) and the /search/ page
   (all results, facets, ?q= links). Reads the index salesbook writes under search/; every
   file of it is a script, so it works from `serve` and from file:// alike, offline.
   Queries are split as src/search/text.rs splits text: keep the two in step. */
(function () {
  'use strict';
  var script = document.currentScript;
  var root = (script && script.getAttribute('data-root')) || '';
  var base = root + 'search/';
  var api = (window.sbSearch = window.sbSearch || {});
  var pending = {};
  var meta = null;

  // ---- loading: one script per index file, resolved by its own call back into api ----
  function load(name) {
    if (pending[name]) return pending[name].promise;
    var p = {};
    p.promise = new Promise(function (resolve, reject) {
      p.resolve = resolve;
      p.reject = reject;
    });
    pending[name] = p;
    var el = document.createElement('script');
    el.src = base + name;
    el.async = true;
    el.onerror = function () {
      delete pending[name];
      p.reject(new Error('cannot load ' + base + name));
    };
    el.onload = function () {
      // A file that loaded without handing over its data is as good as missing.
      if (!p.done) p.reject(new Error('no data in ' + base + name));
    };
    document.head.appendChild(el);
    return p.promise;
  }
  function arrived(name, data) {
    var p = pending[name];
    if (p && !p.done) {
      p.done = true;
      p.resolve(data);
    }
  }
  api.m = function (m) { arrived('meta.js', m); };
  api.t = function (n, terms) { arrived('t/' + n + '.js', terms); };
  api.f = function (n, pages) { arrived('f/' + n + '.js', pages); };

  function loadMeta() {
    return load('meta.js').then(function (m) {
      if (meta) return meta;
      m.foldMap = new Map();
      var from = Array.from(m.fold[0]);
      var to = Array.from(m.fold[1]);
      for (var i = 0; i < from.length; i++) m.foldMap.set(from[i], to[i]);
      m.ownerOf = new Int32Array(m.pages).fill(-1);
      m.tagsOf = new Array(m.pages);
      m.owners.forEach(function (o, ix) {
        eachPage(o[1], function (p) { m.ownerOf[p] = ix; });
      });
      m.tags.forEach(function (t, ix) {
        eachPage(t[1], function (p) { (m.tagsOf[p] = m.tagsOf[p] || []).push(ix); });
      });
      meta = m;
      return m;
    });
  }
  function eachPage(deltas, fn) {
    var page = 0;
    for (var i = 0; i < deltas.length; i++) {
      page += deltas[i];
      fn(page);
    }
  }

  // ---- text: the same folding and splitting as the index ----
  function isCjk(k) {
    return (k >= 0x3040 && k <= 0x30ff) || (k >= 0x3400 && k <= 0x4dbf) || (k >= 0x4e00 && k <= 0x9fff) ||
      (k >= 0xac00 && k <= 0xd7af) || (k >= 0xf900 && k <= 0xfaff) || (k >= 0x20000 && k <= 0x2fa1f);
  }
  var wordChar = /[\p{Alphabetic}\p{N}]/u;
  function fold(c) {
    var k = c.codePointAt(0);
    if (k < 128) return c.toLowerCase();
    if (k >= 0xff01 && k <= 0xff5e) return String.fromCodePoint(k - 0xfee0).toLowerCase();
    if (k === 0x3000) return ' ';
    var f = meta.foldMap.get(c);
    if (f) return f;
    var l = c.toLowerCase();
    return Array.from(l).length === 1 ? l : c;
  }
  var encoder = new TextEncoder();
  function shardOf(key) {
    var h = 0x811c9dc5;
    var bytes = encoder.encode(key);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % meta.shards;
  }
  // A word as the index keeps it: at most max_term bytes, cut before the first character
  // that does not fit.
  function cut(word) {
    var out = '';
    var bytes = 0;
    var chars = Array.from(word);
    for (var i = 0; i < chars.length; i++) {
      var n = encoder.encode(chars[i]).length;
      if (bytes + n > meta.max_term) break;
      out += chars[i];
      bytes += n;
    }
    return out;
  }
  // The parts of a query: CJK runs and words, each a condition every result meets.
  function parse(query) {
    var parts = [];
    var run = '';
    var runCjk = false;
    function end() {
      if (run) parts.push({ cjk: runCjk, text: run });
      run = '';
    }
    Array.from(query).forEach(function (c) {
      c = fold(c);
      var cjk = isCjk(c.codePointAt(0));
      if (cjk || wordChar.test(c)) {
        if (run && cjk !== runCjk) end();
        runCjk = cjk;
        run += c;
      } else {
        end();
      }
    });
    end();
    return parts;
  }

  // ---- finding: each part gives a weight per page (3 title, 2 fields, 1 body) ----
  var DIGIT = new Int8Array(128);
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach(function (c, i) {
    DIGIT[c.charCodeAt(0)] = i;
  });
  function postings(list, weights, combine) {
    if (typeof list === 'string') {
      // A term on many pages: three pages' weights to a digit.
      for (var d = 0; d < list.length; d++) {
        var v = DIGIT[list.charCodeAt(d) & 127];
        for (var k = 0; k < 3; k++) {
          var w = (v >> (2 * k)) & 3;
          if (w) weights[3 * d + k] = combine(weights[3 * d + k], w);
        }
      }
      return;
    }
    var page = 0;
    for (var i = 0; i < list.length; i++) {
      page += list[i] >> 2;
      weights[page] = combine(weights[page], list[i] & 3);
    }
  }
  function max(a, b) { return a > b ? a : b; }
  function partWeights(part) {
    var n = meta.pages;
    var chars = Array.from(part.text);
    var keys;
    if (part.cjk && chars.length > 1) {
      keys = [];
      for (var i = 0; i + 1 < chars.length; i++) keys.push(chars[i] + chars[i + 1]);
    } else if (part.cjk || chars.length === 1) {
      keys = [chars[0]];
    } else {
      var word = cut(part.text);
      return load('t/' + shardOf(Array.from(word).slice(0, 2).join('')) + '.js').then(function (terms) {
        // A word finds every word it begins (ABB finds abb and abbott).
        var w = new Uint8Array(n);
        Object.keys(terms).forEach(function (k) {
          if (k.length > 1 && k.lastIndexOf(word, 0) === 0) postings(terms[k], w, max);
        });
        return w;
      });
    }
    var unique = keys.filter(function (k, i) { return keys.indexOf(k) === i; });
    return Promise.all(unique.map(function (k) {
      return load('t/' + shardOf(k) + '.js').then(function (terms) { return terms[k] || []; });
    })).then(function (lists) {
      // Every bigram of the run on the page; it counts where the weakest one stands.
      var w = new Uint8Array(n);
      postings(lists[0], w, max);
      for (var j = 1; j < lists.length; j++) {
        var other = new Uint8Array(n);
        postings(lists[j], other, max);
        for (var p = 0; p < n; p++) if (other[p] < w[p]) w[p] = other[p];
      }
      return w;
    });
  }
  // The pages that meet every part, best first: the higher the sum of weights the better,
  // then the index order (customers first, largest deals first).
  function find(query) {
    return loadMeta().then(function () {
      var parts = parse(query);
      if (!parts.length) return { parts: parts, pages: [] };
      return Promise.all(parts.map(partWeights)).then(function (ws) {
        var n = meta.pages;
        // Pages by score (a small number), each list in page order: best first with no sort.
        var byScore = [];
        for (var p = 0; p < n; p++) {
          var s = 0;
          for (var i = 0; i < ws.length && s >= 0; i++) s = ws[i][p] ? s + ws[i][p] : -1;
          if (s > 0) (byScore[s] = byScore[s] || []).push(p);
        }
        var hits = [];
        for (var k = byScore.length - 1; k > 0; k--) if (byScore[k]) hits = hits.concat(byScore[k]);
        return { parts: parts, pages: hits };
      });
    });
  }

  // ---- facets: each page's value of each, as a position in the facet's list ----
  var FACETS = ['kind', 'stage', 'tier', 'owner', 'tag'];
  var facets = null;
  function facetData() {
    if (facets) return facets;
    var n = meta.pages;
    function chars(str, minus) {
      var of = new Int16Array(n);
      for (var p = 0; p < n; p++) of[p] = str.charCodeAt(p) - minus;
      return of;
    }
    function ids(list) { return list.map(function (x) { return x[0]; }); }
    facets = {
      kind: { values: ids(meta.kinds), labels: meta.kinds, of: chars(meta.kind, 48) },
      stage: { values: ids(meta.stages), labels: meta.stages, of: chars(meta.stage, 49) },
      tier: { values: ids(meta.tiers), labels: meta.tiers, of: chars(meta.tier, 49) },
      owner: { values: ids(meta.owners), of: meta.ownerOf },
      tag: { values: ids(meta.tags), many: meta.tagsOf },
    };
    return facets;
  }
  function labelOf(facet, value) {
    var list = facetData()[facet].labels;
    if (!list) return value;
    for (var i = 0; i < list.length; i++) if (list[i][0] === value) return list[i][1];
    return value;
  }
  // The chosen value of each facet as its position (-1: none chosen; -2: a value no page has).
  function chosenIx(chosen) {
    var ix = {};
    FACETS.forEach(function (f) {
      ix[f] = chosen[f] ? facetData()[f].values.indexOf(chosen[f]) : -1;
      if (chosen[f] && ix[f] < 0) ix[f] = -2;
    });
    return ix;
  }
  function passes(p, ix, except) {
    var d = facetData();
    for (var i = 0; i < FACETS.length; i++) {
      var f = FACETS[i];
      if (f === except || ix[f] === -1) continue;
      if (d[f].many ? !(d[f].many[p] && d[f].many[p].indexOf(ix[f]) >= 0) : d[f].of[p] !== ix[f]) return false;
    }
    return true;
  }
  function anyChosen(ix, except) {
    return FACETS.some(function (f) { return f !== except && ix[f] !== -1; });
  }
  // Counts each facet's values among the results the other chosen facets leave:
  // facet → [[value, count]…] for the values with any.
  function facetCounts(pages, chosen) {
    var d = facetData();
    var ix = chosenIx(chosen);
    var counts = {};
    FACETS.forEach(function (f) {
      var c = new Int32Array(d[f].values.length);
      var check = anyChosen(ix, f);
      for (var i = 0; i < pages.length; i++) {
        var p = pages[i];
        if (check && !passes(p, ix, f)) continue;
        if (d[f].many) (d[f].many[p] || []).forEach(function (t) { c[t]++; });
        else if (d[f].of[p] >= 0) c[d[f].of[p]]++;
      }
      counts[f] = [];
      for (var v = 0; v < c.length; v++) if (c[v]) counts[f].push([d[f].values[v], c[v]]);
    });
    return counts;
  }
  function filtered(pages, chosen) {
    var ix = chosenIx(chosen);
    if (!anyChosen(ix, null)) return pages;
    return pages.filter(function (p) { return passes(p, ix, null); });
  }

  // ---- showing ----
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function pageInfo(p) {
    var k = Math.floor(p / meta.per_fragment);
    return load('f/' + k + '.js').then(function (list) {
      var d = list[p - k * meta.per_fragment];
      return { title: d[0], path: d[1], kind: d[2], stage: d[3], tier: d[4], fields: d[5], excerpt: d[6] };
    });
  }
  // Where the query's parts stand in `text`, compared folded (each character folds to one).
  function matches(text, parts) {
    var chars = Array.from(text);
    var folded = chars.map(fold);
    var marks = new Uint8Array(chars.length);
    var any = false;
    parts.forEach(function (part) {
      var q = Array.from(part.text);
      for (var i = 0; i + q.length <= folded.length; i++) {
        var j = 0;
        while (j < q.length && folded[i + j] === q[j]) j++;
        if (j === q.length) {
          for (j = 0; j < q.length; j++) marks[i + j] = 1;
          any = true;
          i += q.length - 1;
        }
      }
    });
    return { chars: chars, marks: marks, any: any };
  }
  function highlight(m, from, to) {
    var out = '';
    var open = false;
    for (var i = from; i < to; i++) {
      if (m.marks[i] && !open) { out += '<mark>'; open = true; }
      if (!m.marks[i] && open) { out += '</mark>'; open = false; }
      out += esc(m.chars[i]);
    }
    return out + (open ? '</mark>' : '');
  }
  // A piece of `m`'s text around its first match, the match marked.
  function around(m) {
    var first = m.marks.indexOf(1);
    var from = Math.max(0, first - 30);
    var to = Math.min(m.chars.length, first + 90);
    return (from > 0 ? '…' : '') + highlight(m, from, to) + (to < m.chars.length ? '…' : '');
  }
  // A piece of the fields or the excerpt around the first match, the match marked; null when
  // neither holds it (the match is further down the page: see pageText).
  function snippet(info, parts) {
    var texts = [info.fields, info.excerpt];
    for (var t = 0; t < texts.length; t++) {
      if (!texts[t]) continue;
      var m = matches(texts[t], parts);
      if (m.any) return around(m);
    }
    return null;
  }

  // ---- a page's own text, for a snippet of a match the index's excerpt does not hold ----
  // The index keeps a page's start only (its whole text would multiply the index and the
  // build's writes); a result matched further down reads the page itself, once it is near
  // the screen. Served, by fetch. From file://, where fetch is refused, in a hidden frame
  // whose copy of this script hands its page's text back (see frameReply).
  var BLOCKS = 'p,li,td,th,h1,h2,h3,h4,h5,h6,dt,dd,pre,blockquote,figcaption,summary,div,section';
  function pageText(doc) {
    var main = doc.getElementById('main');
    if (!main) return '';
    main.querySelectorAll('h1,nav,aside,script,style,template,.updated').forEach(function (el) { el.remove(); });
    var out = '';
    var block = null;
    var walker = doc.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var b = n.parentElement && n.parentElement.closest(BLOCKS);
      if (b !== block && out) out += ' ';
      block = b;
      out += n.data;
    }
    return out.replace(/\s+/g, ' ').trim();
  }
  var texts = new Map();
  function bodyText(url) {
    if (texts.has(url)) return texts.get(url);
    var p;
    if (location.protocol === 'file:') {
      // No token (a theme without the <meta>): no page would answer.
      if (!pageToken()) return Promise.resolve('');
      p = new Promise(function (resolve) {
        var frame = document.createElement('iframe');
        var timer;
        function done(text) {
          window.removeEventListener('message', onMessage);
          clearTimeout(timer);
          frame.remove();
          resolve(text);
        }
        function onMessage(e) {
          if (e.source === frame.contentWindow && e.data && typeof e.data.sbText === 'string') done(e.data.sbText);
        }
        window.addEventListener('message', onMessage);
        timer = setTimeout(function () { done(''); }, 5000);
        frame.hidden = true;
        frame.setAttribute('aria-hidden', 'true');
        frame.tabIndex = -1;
        frame.src = url + '#sb-text=' + pageToken();
        document.body.appendChild(frame);
      });
    } else {
      p = fetch(url).then(function (r) { return r.ok ? r.text() : ''; }).then(function (html) {
        return html ? pageText(new DOMParser().parseFromString(html, 'text/html')) : '';
      }).catch(function () { return ''; });
    }
    texts.set(url, p);
    return p;
  }
  // The site's page token, from this page's own <meta name="sb-token"> (never from a .js
  // file: any local page can run those). A file:// page cannot read another's HTML.
  function pageToken() {
    var m = document.querySelector('meta[name="sb-token"]');
    var t = m && m.getAttribute('content');
    return t && /^[0-9a-f]{32}$/.test(t) ? t : '';
  }
  // Opened by bodyText from file://: only then, and only when asked with this site's page
  // token, this copy of the script answers its parent with its page's text. Every file://
  // page's origin is "null", so the token is what tells our search page from another local
  // HTML file framing this page. A served or hosted page never answers: there, the search
  // page reads pages by fetch, within the browser's same-origin rules.
  function frameReply() {
    if (window.parent === window || location.protocol !== 'file:') return false;
    var token = pageToken();
    if (!token || location.hash !== '#sb-text=' + token) return false;
    window.parent.postMessage({ sbText: pageText(document) }, '*');
    return true;
  }
  // Each result whose snippet lacks the match gets one from its page once it nears the screen
  // (`data-snippet` on the result: `later`, then `page` or `none`).
  var nearScreen = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        nearScreen.unobserve(e.target);
        e.target.sbSnippet();
      });
    }, { rootMargin: '200px' })
    : null;
  function laterSnippet(li, info, parts) {
    li.setAttribute('data-snippet', 'later');
    li.sbSnippet = function () {
      bodyText(href(info)).then(function (text) {
        var m = matches(text, parts);
        if (m.any) li.querySelector('.snippet').innerHTML = around(m);
        li.setAttribute('data-snippet', m.any ? 'page' : 'none');
      });
    };
    if (nearScreen) nearScreen.observe(li);
    else li.sbSnippet();
  }

  function badges(info) {
    var out = '<span class="kind">' + esc(meta.kinds[info.kind][1]) + '</span>';
    if (info.stage >= 0) {
      var s = meta.stages[info.stage];
      out += ' <span class="badge stage-' + esc(s[0]) + '">' + esc(s[1]) + '</span>';
    }
    if (info.tier >= 0) {
      var t = meta.tiers[info.tier];
      out += ' <span class="badge tier-' + esc(t[0]) + '">' + esc(t[1]) + '</span>';
    }
    return out;
  }
  function href(info) {
    return root + info.path.split('/').map(encodeURIComponent).join('/') + 'index.html';
  }
  // A result's HTML, and whether its page must be read for a snippet of the match: the title,
  // the fields and the excerpt all lack it.
  function resultHtml(info, parts) {
    var title = matches(info.title, parts);
    var piece = snippet(info, parts);
    return {
      html: '<a class="result-title" href="' + esc(href(info)) + '">' + highlight(title, 0, title.chars.length) +
        '</a> <span class="result-badges">' + badges(info) + '</span>' +
        '<p class="snippet">' + (piece === null ? esc(info.excerpt || info.fields || '') : piece) + '</p>',
      later: piece === null && !title.any,
    };
  }
  function status(el, text) {
    el.textContent = text;
  }
  function unavailable(form) {
    return (form && form.getAttribute('data-unavailable')) || 'The search index could not be loaded.';
  }

  // ---- the /search/ page ----
  function searchPage(app) {
    var input = app.querySelector('#search-q');
    var statusEl = app.querySelector('.search-status');
    var list = app.querySelector('.search-results');
    var facetsEl = app.querySelector('.search-facets');
    var params = new URLSearchParams(location.search);
    var chosen = {};
    FACETS.forEach(function (f) { chosen[f] = params.get(f) || ''; });
    input.value = params.get('q') || '';
    var shown = 0;
    var current = null;
    // Which run and which showing of results is the latest (an older one's answer is dropped).
    var runs = 0;
    var seq = 0;
    var STEP = 10;

    function keepUrl() {
      var q = new URLSearchParams();
      if (input.value) q.set('q', input.value);
      FACETS.forEach(function (f) { if (chosen[f]) q.set(f, chosen[f]); });
      var s = q.toString();
      try {
        history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
      } catch (e) { /* some browsers refuse this on file:// pages: the page still works */ }
    }
    function showMore(pages, parts, mine) {
      var next = pages.slice(shown, shown + STEP);
      shown += next.length;
      return Promise.all(next.map(pageInfo)).then(function (infos) {
        if (mine !== seq) return;
        var old = list.querySelector('.more');
        if (old) old.remove();
        infos.forEach(function (info) {
          var li = document.createElement('li');
          li.className = 'result';
          var r = resultHtml(info, parts);
          li.innerHTML = r.html;
          list.appendChild(li);
          if (r.later) laterSnippet(li, info, parts);
        });
        if (shown < pages.length) {
          var li = document.createElement('li');
          li.className = 'more';
          var b = document.createElement('button');
          b.type = 'button';
          b.textContent = meta.ui.search_more;
          b.onclick = function () { showMore(pages, parts, mine); };
          li.appendChild(b);
          list.appendChild(li);
        }
      });
    }
    function renderFacets(pages) {
      var counts = facetCounts(pages, chosen);
      var html = '';
      FACETS.forEach(function (f) {
        var entries = counts[f];
        if (!entries.length && !chosen[f]) return;
        if (f === 'owner' || f === 'tag') entries.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
        html += '<section class="facet" data-facet="' + f + '"><h2>' + esc(meta.ui['facet_' + f]) + '</h2><ul>';
        html += '<li><button type="button" data-value=""' + (chosen[f] ? '' : ' aria-pressed="true"') + '>' +
          esc(meta.ui.search_all) + '</button></li>';
        entries.slice(0, 30).forEach(function (e) {
          var on = chosen[f] === e[0];
          html += '<li><button type="button" data-value="' + esc(e[0]) + '"' + (on ? ' aria-pressed="true"' : '') + '>' +
            esc(labelOf(f, e[0])) + ' <span class="count">' + e[1] + '</span></button></li>';
        });
        html += '</ul></section>';
      });
      facetsEl.innerHTML = html;
    }
    // Results gone from the list wait for no snippet.
    function clearList() {
      if (nearScreen) list.querySelectorAll('.result').forEach(function (li) { nearScreen.unobserve(li); });
      list.innerHTML = '';
    }
    function show() {
      if (!current) return;
      var mine = ++seq;
      var pages = filtered(current.pages, chosen);
      renderFacets(current.pages);
      clearList();
      shown = 0;
      var note = current.parts.length === 1 && current.parts[0].cjk && Array.from(current.parts[0].text).length === 1
        ? ' ' + meta.ui.search_one_char : '';
      status(statusEl, (pages.length ? meta.ui.search_results.replace('{n}', pages.length) : meta.ui.search_none) + note);
      return showMore(pages, current.parts, mine);
    }
    function run() {
      var q = input.value.trim();
      keepUrl();
      var mine = ++runs;
      if (!q) {
        current = null;
        clearList();
        facetsEl.innerHTML = '';
        return;
      }
      if (!meta) status(statusEl, '…');
      var started = performance.now();
      find(q).then(function (r) {
        if (mine !== runs) return;
        current = r;
        app.setAttribute('data-ms', (performance.now() - started).toFixed(1));
        return show();
      }).then(function () {
        if (mine === runs) app.setAttribute('data-query', q);
      }, function () {
        status(statusEl, unavailable(document.querySelector('.search-box')));
        app.setAttribute('data-error', '1');
      });
    }
    facetsEl.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (!b) return;
      var f = b.closest('.facet').getAttribute('data-facet');
      chosen[f] = chosen[f] === b.getAttribute('data-value') ? '' : b.getAttribute('data-value');
      keepUrl();
      show();
    });
    input.addEventListener('input', run);
    loadMeta().then(function () { app.setAttribute('data-ready', '1'); }, function () {});
    app.querySelector('form').addEventListener('submit', function (e) {
      e.preventDefault();
      run();
    });
    var box = document.querySelector('.search-box input');
    if (box && input.value) box.value = input.value;
    run();
    input.focus();
  }

  // ---- the header box: the first results as you type ----
  function headerBox(form) {
    var input = form.querySelector('input');
    var drop = document.createElement('ul');
    drop.className = 'search-drop';
    drop.hidden = true;
    form.appendChild(drop);
    var seq = 0;
    var active = -1;
    function close() {
      drop.hidden = true;
      active = -1;
    }
    // Fixed under the box: the sidebar scrolls, and would cut off a drop-down inside it.
    function place() {
      var r = input.getBoundingClientRect();
      drop.style.left = r.left + 'px';
      drop.style.top = r.bottom + 3 + 'px';
      drop.style.width = Math.max(Math.min(448, window.innerWidth - r.left - 8), r.width) + 'px';
    }
    window.addEventListener('resize', function () { if (!drop.hidden) place(); });
    window.addEventListener('scroll', function () { if (!drop.hidden) place(); }, true);
    function mark() {
      Array.from(drop.children).forEach(function (li, i) { li.classList.toggle('active', i === active); });
    }
    input.addEventListener('focus', function () { loadMeta().catch(function () {}); });
    input.addEventListener('input', function () {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) return close();
      find(q).then(function (r) {
        return Promise.all(r.pages.slice(0, 8).map(pageInfo)).then(function (infos) {
          if (mine !== seq) return;
          drop.innerHTML = infos.map(function (info) {
            var t = matches(info.title, r.parts);
            return '<li><a href="' + esc(href(info)) + '">' + highlight(t, 0, t.chars.length) +
              '</a> ' + badges(info) + '</li>';
          }).join('') + '<li class="all"><a href="' + esc(form.getAttribute('action') + '?q=' + encodeURIComponent(q)) +
            '">' + esc(r.pages.length ? meta.ui.search_results.replace('{n}', r.pages.length) : meta.ui.search_none) +
            '</a></li>';
          place();
          drop.hidden = false;
          active = -1;
        });
      }).catch(function () {
        if (mine !== seq) return;
        drop.innerHTML = '<li class="error">' + esc(unavailable(form)) + '</li>';
        place();
        drop.hidden = false;
      });
    });
    input.addEventListener('keydown', function (e) {
      var n = drop.children.length;
      if (drop.hidden || !n) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        active = (active + (e.key === 'ArrowDown' ? 1 : n - 1) + (active < 0 && e.key === 'ArrowUp' ? 1 : 0)) % n;
        mark();
        e.preventDefault();
      } else if (e.key === 'Enter' && active >= 0) {
        var a = drop.children[active].querySelector('a');
        if (a) {
          e.preventDefault();
          location.href = a.href;
        }
      } else if (e.key === 'Escape') {
        close();
      }
    });
    document.addEventListener('click', function (e) { if (!form.contains(e.target)) close(); });
  }

  // For other scripts and for tests: the query split as the index is, and the search.
  api.parse = function (query) { return loadMeta().then(function () { return parse(query); }); };
  api.find = find;

  function start() {
    if (frameReply()) return;
    var app = document.getElementById('search-app');
    var form = document.querySelector('.search-box');
    if (form && !app) headerBox(form);
    if (form && app) form.hidden = true;
    if (app) searchPage(app);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
