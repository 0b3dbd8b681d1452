/* The desk: confirmations, who is editing what, the approval queue, and the live stream of published posts.
   The stream is the readers' own client (reader/stream.js, mapped to "dateline/stream" by the page's import map):
   every change once, in seq order, from the seq the page was rendered at, with gap fill, reset and polling.
   Each change carries the post's structured object, so an edit, pin or unpin is applied to its row from that; only
   a row the desk does not show yet (a new, restored or approved post), or one whose buttons may change (its byline
   changed: who may edit it), is fetched, because the row's buttons depend on this user's rights (decisions.md). */
import { EventType, follow } from "dateline/stream";

var list = document.getElementById("post-list");
var status = document.getElementById("stream-status");

document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

if (list) startDesk(list);

function startDesk(list) {
  var slug = list.dataset.slug;

  /* "Being edited by …" on each row. Presence is not a live event (it changes every few seconds and readers never
     see it), so the desk asks every 10 s — the edit page's heartbeat interval — while the tab is visible. */
  function showEditing() {
    if (document.hidden || !window.fetch) return;
    var rows = document.querySelectorAll(".row[data-post-id]");
    var ids = Array.prototype.map.call(rows, function (row) { return row.dataset.postId; });
    if (!ids.length) return;
    fetch("/newsroom/" + encodeURIComponent(slug) + "/editing?ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        Array.prototype.forEach.call(document.querySelectorAll(".row[data-post-id]"), function (row) {
          var badge = row.querySelector(".row__editing");
          if (!badge) return;
          var names = data.editing[row.dataset.postId];
          badge.querySelector(".row__editors").textContent = names ? names.join(", ") : "";
          badge.hidden = !names;
        });
      })
      .catch(function () { /* advisory: the next poll tries again */ });
  }
  setInterval(showEditing, 10000);
  document.addEventListener("visibilitychange", showEditing);

  /* The approval queue (editors) or your drafts (everyone else). Drafts are not live events — readers never see
     them — so a contributor's submission, or a draft approved or deleted in another tab, is found by asking every
     5 s while the tab is visible. The server answers 304 to the ETag of an unchanged queue, so an idle desk costs
     one small query per poll; only a changed queue sends its rows (rendered by the server, with this user's buttons). */
  var queue = document.getElementById("waiting-list");
  var queueSection = document.getElementById("waiting");
  var polling = false;
  function refreshQueue() {
    if (!queue || document.hidden || polling || !window.fetch) return;
    polling = true;
    // no-store: we send our own validator and must see the 304 (a browser revalidation would hide it as a 200).
    fetch(queue.dataset.queueUrl, { credentials: "same-origin", cache: "no-store",
                                    headers: { "If-None-Match": queue.dataset.etag } })
      .then(function (r) {
        if (r.status !== 200) return null;
        var etag = r.headers.get("ETag");
        return r.text().then(function (html) { return { etag: etag, html: html }; });
      })
      .then(function (answer) {
        if (!answer) return;
        var before = {};
        Array.prototype.forEach.call(queue.querySelectorAll(".row[data-post-id]"), function (row) { before[row.dataset.postId] = true; });
        var template = document.createElement("template");
        template.innerHTML = answer.html.trim();
        var arrived = 0;
        Array.prototype.forEach.call(template.content.querySelectorAll(".row[data-post-id]"), function (row) {
          if (!before[row.dataset.postId]) { row.classList.add("row--new"); arrived += 1; }
        });
        queue.replaceChildren(template.content);
        var count = queue.querySelectorAll(".row[data-post-id]").length;
        document.getElementById("waiting-count").textContent = count;
        queueSection.hidden = count === 0;
        if (answer.etag) queue.dataset.etag = answer.etag;
        if (arrived) announce(arrived === 1 ? "A draft is waiting in the queue." : arrived + " drafts are waiting in the queue.");
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { polling = false; });
  }
  setInterval(refreshQueue, 5000);
  document.addEventListener("visibilitychange", refreshQueue);

  function announce(text) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); }

  var POST_CHANGES = [EventType.POST_PUBLISHED, EventType.POST_UPDATED, EventType.POST_PINNED, EventType.POST_UNPINNED];

  function placeRow(row) {
    var empty = document.getElementById("no-posts");
    if (empty) empty.remove();
    if (row.classList.contains("row--pinned")) { list.insertBefore(row, list.firstChild); return; }
    var firstUnpinned = list.querySelector(".row:not(.row--pinned)");
    list.insertBefore(row, firstUnpinned);
  }

  function byline(post) { return (post.authors || []).map(function (a) { return a.name; }).join(", "); }

  // This user's row for a post, rendered by the server (buttons, CSRF tokens); null if it is not theirs to see.
  function fetchRow(id) {
    return fetch(list.dataset.rowUrl + id + "/row", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return null;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        return template.content.firstElementChild;
      }, function () { return null; });
  }

  function insertRow(id) {
    return fetchRow(id).then(function (row) {
      if (!row) return;
      var old = document.getElementById("np-" + id);
      if (old && old.parentNode === list) {
        old.replaceWith(row);
        return;
      }
      if (old) old.remove(); // it was in the approval queue or the schedule
      placeRow(row);
      row.classList.add("row--new");
    });
  }

  // An edit, pin or unpin: what the row shows of the post, from the event's object.
  function patchRow(row, post) {
    row.dataset.version = post.version;
    Array.prototype.forEach.call(row.querySelectorAll("input[name=version]"), function (input) { input.value = post.version; });
    row.querySelector(".row__version").textContent = "v" + post.version;
    row.querySelector(".row__headline").textContent = post.headline || "(no headline)";
    row.querySelector(".row__byline").textContent = byline(post);
    Array.prototype.forEach.call(row.querySelectorAll(".row__actions .visually-hidden"), function (label) {
      label.textContent = ": " + post.headline;
    });
    var wasPinned = row.classList.contains("row--pinned");
    if (wasPinned === post.pinned) return;
    row.classList.toggle("row--pinned", post.pinned);
    var badge = row.querySelector(".badge--pin");
    if (badge) badge.remove();
    if (post.pinned) {
      badge = document.createElement("span");
      badge.className = "badge badge--pin";
      badge.textContent = "Pinned";
      row.querySelector(".row__meta").prepend(badge, " ");
    }
    var pin = row.querySelector("input[name=pinned]");
    if (pin) {
      pin.value = post.pinned ? "false" : "true";
      pin.form.querySelector("button").firstChild.nodeValue = post.pinned ? "Unpin" : "Pin";
    }
    row.remove();
    placeRow(row);
  }

  function applyChange(change) {
    list.dataset.seq = change.seq;
    var post = change.post;
    if (!post) return null;
    var row = document.getElementById("np-" + post.id);
    if (change.type === EventType.POST_DELETED) {
      if (row) row.remove();
      announce("A post was deleted.");
      return null;
    }
    if (POST_CHANGES.indexOf(change.type) < 0) return null;
    var shown = row && row.parentNode === list;
    if (change.type === EventType.POST_PUBLISHED || !shown || byline(post) !== row.querySelector(".row__byline").textContent) {
      return insertRow(post.id).then(function () {
        if (change.type === EventType.POST_PUBLISHED && !shown) {
          var by = byline(post);
          announce("New post" + (by ? " by " + by : "") + ": " + (post.headline || ""));
        }
      });
    }
    patchRow(row, post);
    return null;
  }

  // Changes come in order; a fetched row must not let a later change overtake it, so each waits for the last. A
  // change that fails to apply is reported as an uncaught error (not swallowed) and does not stop the ones after it.
  var applied = Promise.resolve();
  function report(error) { setTimeout(function () { throw error; }); }
  var indicator = document.getElementById("live-indicator");
  follow({
    slug: slug,
    seq: parseInt(list.dataset.seq, 10) || 0,
    apply: function (change) { applied = applied.then(function () { return applyChange(change); }).catch(report); },
    onState: function (state) { indicator.classList.toggle("live-dot--on", state === "live"); },
  });
}
