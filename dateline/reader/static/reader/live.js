/* Dateline reader: keeps a server-rendered live page current. No framework, no build step.
 * The page embeds the seq it was rendered at (<main data-seq>); we subscribe to events?after=<seq> (SSE) and apply
 * each change once, in seq order: an old seq is a duplicate (ignored), a skipped one a gap (filled from /changes).
 * While the stream is down we poll /changes every 10 s; "reset" means our position is gone, so we reload.
 * Events carry the fragments the server renders into the page. */
(function () {
  'use strict';
  var main = document.querySelector('main[data-slug]');
  if (!main) return;
  var slug = main.getAttribute('data-slug');
  var base = '/live/' + slug + '/';
  var status = document.getElementById('live-status');
  var TYPES = ['post.published', 'post.updated', 'post.deleted', 'post.pinned', 'post.unpinned',
    'keypoints.updated', 'blog.updated', 'blog.ended'];
  var POLL_MS = 10000;

  function $(id) { return document.getElementById(id); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function parse(html) {
    var t = document.createElement('template');
    t.innerHTML = (html || '').trim();
    return t.content;
  }
  // Announcements wait 100 ms (emptied first, so a repeated text is read again) and a newer one replaces a waiting
  // one. Posts inserted within that window are summed: a burst of three (one /changes batch, or events arriving
  // together) is "3 new posts", not the last insert's "1 new post".
  var announceTimer, newInWindow = 0;
  function announce(text) {
    if (!status) return;
    clearTimeout(announceTimer);
    newInWindow = 0;
    status.textContent = '';
    announceTimer = setTimeout(function () { status.textContent = text; newInWindow = 0; }, 100);
  }
  function announceNew(n) {
    var total = newInWindow + n;
    announce(plural(total, 'new post'));
    newInWindow = total;
  }
  function plural(n, one) { return n + ' ' + one + (n === 1 ? '' : 's'); }

  /* --- relative times, in the reader's browser ------------------------------------------------------- */
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;
  function ago(date) {
    var s = (date.getTime() - Date.now()) / 1000, a = Math.abs(s);
    if (!rtf) return '';
    if (a < 45) return rtf.format(0, 'second').replace(/^in 0 seconds$/, 'now');
    if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
    if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
    return rtf.format(Math.round(s / 86400), 'day');
  }
  function relTimes(root) {
    each((root || document).querySelectorAll('time.post__time'), function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d)) return;
      var span = t.nextElementSibling;
      if (!span || !span.classList.contains('post__ago')) {
        span = document.createElement('span');
        span.className = 'post__ago';
        t.parentNode.insertBefore(span, t.nextSibling);
      }
      span.textContent = ago(d);
      t.title = d.toLocaleString();
    });
  }

  /* --- copy-link buttons (progressive enhancement) ------------------------------------------------------- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } finally { ta.remove(); }
    return Promise.resolve();
  }
  // The share page has its own button for its post (.share__tools); one per post, not one more in the footer.
  var pageCopy = document.querySelector('.share__tools .copy-link');
  function enhance(root) {
    each((root || document).querySelectorAll('.post__footer'), function (f) {
      if (pageCopy || f.querySelector('.copy-link')) return;
      var a = f.querySelector('.post__permalink');
      if (!a) return;
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'copy-link';
      b.setAttribute('data-url', new URL(a.getAttribute('href'), location.href).href);
      var ctx = a.querySelector('.visually-hidden');
      b.innerHTML = 'Copy link<span class="visually-hidden">' + (ctx ? ctx.innerHTML : '') + '</span>';
      f.appendChild(b);
    });
    each((root || document).querySelectorAll('button.copy-link[hidden]'), function (b) { b.hidden = false; });
    relTimes(root);
  }
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button.copy-link');
    if (!b) return;
    copyText(b.getAttribute('data-url')).then(function () { announce('Link copied'); b.classList.add('is-copied'); },
      function () { announce('Could not copy the link'); });
  });
  enhance(document);
  setInterval(function () { relTimes(document); }, 30000);

  /* --- the embed widget tells its host page how tall it is ------------------------------------------- */
  if (main.hasAttribute('data-embed') && window.parent !== window) {
    var lastH = 0;
    var sendHeight = function () {
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== lastH) { lastH = h; window.parent.postMessage({ type: 'dateline:height', height: h, href: location.href }, '*'); }
    };
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.documentElement);
    window.addEventListener('load', sendHeight);
    sendHeight();
  }

  var feed = $('posts'), pinned = $('pinned');

  /* --- #post-<id> lands on the post, wherever it is ------------------------------------------------------ */
  // Our links are ?post=<id>#post-<id>: the server opens the page showing the post (docs/reader.md). A bare
  // #post-<id> (the contract's form, JSON-LD urls, older links) misses once the post has left page 1, and the
  // server never sees a fragment: so ask with ?post=. Never twice: a deleted post's link stays on the live page.
  function findPost() {
    var m = /^#post-(\d+)$/.exec(location.hash);
    if (m && !$('post-' + m[1]) && !/[?&]post=/.test(location.search)) location.replace(base + '?post=' + m[1] + m[0]);
  }
  if (feed && !main.hasAttribute('data-embed')) { findPost(); window.addEventListener('hashchange', findPost); }
  // A ?post= link to a post this page already shows (a key point's "Read more") just scrolls: no reload.
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href*="?post="]');
    if (!a || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    if (a.pathname === location.pathname && /^#post-\d+$/.test(a.hash) && $(a.hash.slice(1))) {
      e.preventDefault();
      location.hash = a.hash;
    }
  });

  // The ARIA feed pattern's keys (WAI-ARIA APG): with focus in a post, Page Down / Page Up move focus to the next /
  // previous post (posts have tabindex="-1": focusable by script, not 20 more Tab stops). At either end the key keeps
  // its usual scrolling. Works on every page with a feed, live or not.
  if (feed) feed.addEventListener('keydown', function (e) {
    var down = e.key === 'PageDown';
    if (!down && e.key !== 'PageUp' || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var at = e.target.closest && e.target.closest('#posts > article'), to = at;
    do { to = to && (down ? to.nextElementSibling : to.previousElementSibling); } while (to && to.tagName !== 'ARTICLE');
    if (!to) return;
    e.preventDefault();
    to.scrollIntoView({ block: 'start' });
    to.focus({ preventScroll: true });
  });

  if (!feed || !main.hasAttribute('data-live')) return;

  /* --- page state ------------------------------------------------------------------------------------- */
  var seq = parseInt(main.getAttribute('data-seq'), 10) || 0;
  var postCount = parseInt(main.getAttribute('data-post-count'), 10) || 0;
  var pending = []; // [{id, html}] held back while the reader is scrolled down
  var newButton = $('new-posts');
  var baseTitle = document.title;
  var loadMore = $('load-more');
  // The embed shows a window of the newest posts (data-window) and never grows: it has no "Load more", so once it
  // shows fewer posts than the stream holds ("clipped"), a post older than its last is not its business.
  var windowSize = parseInt(main.getAttribute('data-window'), 10) || 0;
  var clipped = windowSize > 0 && articles(feed).length < postCount - articles(pinned).length;

  function key(el) { return [Date.parse(el.getAttribute('data-published')) || 0, +el.getAttribute('data-post-id')]; }
  function after(x, y) { return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1]; }
  function newer(a, b) { return after(key(a), key(b)); }

  // The newest post this page has shown or queued (deleted ones included). post.published also means "restored"
  // (decisions.md): a post no newer than this one is an old post coming back, so it goes in its place by its
  // published_at and is not counted or announced as new.
  var newest = [0, 0];
  function seen(el) { var k = key(el); if (after(k, newest)) newest = k; }
  each(main.querySelectorAll('article[data-post-id]'), seen);
  function articles(c) { return Array.prototype.filter.call(c.children, function (n) { return n.tagName === 'ARTICLE'; }); }

  function renumber() {
    var list = articles(feed), size = Math.max(list.length, postCount - articles(pinned).length);
    list.forEach(function (a, i) { a.setAttribute('role', 'article'); a.setAttribute('aria-posinset', i + 1); a.setAttribute('aria-setsize', loadMore ? size : list.length); });
    pinned.hidden = articles(pinned).length === 0;
    var empty = $('empty-note');
    if (empty) empty.hidden = list.length + articles(pinned).length > 0;
  }
  function setCount(n) {
    if (typeof n !== 'number') return;
    postCount = n;
    var c = $('post-count');
    if (c) c.textContent = plural(n, 'Post');
  }

  // Keep what the reader looks at still: note the first visible element's position, mutate, scroll by its move.
  // (Browser scroll anchoring is off in the CSS so it cannot correct twice.)
  function steady(fn) {
    var anchor = null, top = 0;
    if (window.scrollY > 0) {
      var cands = main.querySelectorAll('article.post, #key-points, #blog-header, .stream-bar');
      for (var i = 0; i < cands.length; i++) {
        var r = cands[i].getBoundingClientRect();
        if (r.bottom > 0 && r.height) { anchor = cands[i]; top = r.top; break; }
      }
    }
    fn();
    if (anchor && anchor.isConnected) {
      var d = anchor.getBoundingClientRect().top - top;
      if (d) window.scrollBy(0, d);
    }
  }

  function atTop() { return feed.getBoundingClientRect().top >= 0; }

  // Is a post within the part of the stream this page shows? (Older ones come with "Load more", or, in the embed,
  // not at all: an edit of an old post must not append it to the widget.)
  function inLoadedRange(el) {
    if (!loadMore && !clipped) return true;
    var list = articles(feed), last = list[list.length - 1];
    return !last || newer(el, last);
  }

  // wasInFeed: an edit of a post the feed shows keeps it, even the last one (which the range is measured by).
  function place(el, wasInFeed) {
    var box = el.getAttribute('data-pinned') === 'true' ? pinned : feed;
    if (box === feed && !wasInFeed && !inLoadedRange(el)) return false;
    var list = articles(box), i = 0;
    while (i < list.length && !newer(el, list[i])) i++;
    box.insertBefore(el, list[i] || null);
    // A window keeps its size: the oldest posts leave as new ones arrive (possibly this one, if it is the oldest).
    var shown = articles(feed);
    while (windowSize && shown.length > windowSize) { shown.pop().remove(); clipped = true; }
    return el.isConnected;
  }

  // Insert or replace a post where it belongs now. Idempotent: a replayed change gives the same page.
  function upsert(html, isNew) {
    var el = parse(html).querySelector('article');
    if (!el) return;
    var id = el.id, old = $(id);
    var queued = pending.filter(function (p) { return p.id === id; })[0];
    if (queued) { queued.html = html; return; }
    isNew = isNew && !old && after(key(el), newest);
    seen(el);
    if (isNew && !atTop()) {
      pending.push({ id: id, html: html });
      showPending();
      return;
    }
    var hadFocus = old && old.contains(document.activeElement), wasInFeed = old && old.parentNode === feed;
    steady(function () {
      if (old) old.remove();
      if (place(el, wasInFeed)) enhance(el);
    });
    if (hadFocus && el.isConnected) el.focus({ preventScroll: true });
    if (isNew) announceNew(1);
  }

  function remove(id) {
    pending = pending.filter(function (p) { return p.id !== id; });
    showPending();
    var old = $(id);
    if (!old) return;
    var next = old.nextElementSibling || old.previousElementSibling;
    var hadFocus = old.contains(document.activeElement);
    steady(function () { old.remove(); });
    if (hadFocus && next && next.tagName === 'ARTICLE') next.focus({ preventScroll: true });
  }

  function showPending() {
    var n = pending.length;
    document.title = n ? '(' + n + ') ' + baseTitle : baseTitle;
    if (!newButton) return;
    newButton.hidden = !n;
    newButton.textContent = plural(n, 'new post');
    if (n) announce(plural(n, 'new post'));
  }

  function flushPending(focusFirst) {
    if (!pending.length) return;
    var items = pending;
    pending = [];
    showPending();
    var first = null;
    items.forEach(function (p) {
      var el = parse(p.html).querySelector('article');
      if (!el) return;
      var old = $(el.id);
      if (old) old.remove();
      if (place(el)) { enhance(el); if (!first || el.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) first = el; }
    });
    renumber();
    if (focusFirst && first) { first.scrollIntoView({ block: 'start' }); first.focus({ preventScroll: true }); }
  }
  if (newButton) newButton.addEventListener('click', function () { flushPending(true); });
  window.addEventListener('scroll', function () { if (pending.length && window.scrollY < 10) flushPending(false); },
    { passive: true });

  function replaceBox(id, html) {
    var el = parse(html).querySelector('#' + id), old = $(id);
    if (!el || !old) return;
    steady(function () { old.replaceWith(el); });
  }

  /* --- applying changes in seq order -------------------------------------------------------------------- */
  function apply(d) {
    if (!d || typeof d.seq !== 'number' || d.seq <= seq) return true; // duplicate
    if (d.seq > seq + 1) return false; // gap: fetch what is missing
    seq = d.seq;
    main.setAttribute('data-seq', seq);
    var t = d.type;
    if (t === 'post.deleted') remove('post-' + d.post.id);
    else if (t.indexOf('post.') === 0) upsert(d.html, t === 'post.published');
    else if (t === 'keypoints.updated') replaceBox('key-points', d.html);
    else if (t === 'blog.updated' || t === 'blog.ended') {
      replaceBox('blog-header', d.html);
      if (d.key_points_html) replaceBox('key-points', d.key_points_html);
      var h1 = document.querySelector('#blog-header h1'); // <title> is "<h1 text> | <publisher>"
      if (h1) { baseTitle = h1.textContent.replace(/\s+/g, ' ').trim() + baseTitle.slice(baseTitle.lastIndexOf(' | ')); showPending(); }
    }
    setCount(d.post_count);
    renumber();
    return true;
  }

  var polling = null, inFlight = false, again = false, es = null;
  function catchUp() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    // no-cache: revalidate (a cheap 304), never reuse a stale answer; shared caches still serve everyone.
    fetch(base + 'changes?after=' + seq, { cache: 'no-cache', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        if (body.reset) { location.reload(); return; }
        (body.changes || []).forEach(function (c) {
          apply(typeof c.data === 'string' ? JSON.parse(c.data) : (c.data || c));
        });
        if (body.more) again = true; // paged: fetch the rest now
      })
      .catch(function () { /* the next poll or the stream retries */ })
      .then(function () { inFlight = false; if (again) { again = false; catchUp(); } });
  }
  function startPolling() {
    if (polling) return;
    catchUp();
    polling = setInterval(catchUp, POLL_MS);
  }
  function stopPolling() { clearInterval(polling); polling = null; }

  function onEvent(e) {
    var d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    if (!apply(d)) catchUp();
  }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    es = new EventSource(base + 'events?after=' + seq);
    TYPES.forEach(function (t) { es.addEventListener(t, onEvent); });
    es.addEventListener('reset', function () { location.reload(); });
    es.onopen = stopPolling;
    es.onerror = function () {
      startPolling();
      // A closed stream (an HTTP error, not a drop) is not retried by the browser: we retry from our seq later.
      if (es.readyState === 2) { es = null; setTimeout(connect, 30000); }
    };
  }

  /* --- load more (ARIA feed) ------------------------------------------------------------------------- */
  if (loadMore) loadMore.addEventListener('click', function (e) {
    e.preventDefault();
    if (feed.getAttribute('aria-busy') === 'true') return;
    feed.setAttribute('aria-busy', 'true');
    loadMore.textContent = 'Loading…';
    fetch(base + 'more?before=' + encodeURIComponent(loadMore.getAttribute('data-cursor')))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        var added = 0;
        each(parse(body.html).querySelectorAll('article'), function (el) {
          if ($(el.id) || pending.some(function (p) { return p.id === el.id; })) return;
          feed.appendChild(el);
          enhance(el);
          added++;
        });
        if (body.next) {
          loadMore.setAttribute('data-cursor', body.next);
          loadMore.href = base + '?before=' + body.next;
          loadMore.textContent = 'Load more posts';
        } else {
          loadMore.parentNode.remove();
          loadMore = null;
        }
        renumber();
        announce(plural(added, 'more post') + ' loaded');
      })
      .catch(function () { if (loadMore) loadMore.textContent = 'Load more posts (try again)'; })
      .then(function () { feed.setAttribute('aria-busy', 'false'); });
  });

  renumber();
  connect();
})();
