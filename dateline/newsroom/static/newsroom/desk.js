/* The desk's live stream: colleagues' posts, edits, pins and deletions arrive as they happen.
   Subscribes to the same SSE stream readers use, from the seq the page was rendered at, so nothing falls between
   render and subscribe; each change fetches this user's row (with the buttons they may use) from the newsroom. */
(function () {
  "use strict";
  var list = document.getElementById("post-list");
  var status = document.getElementById("stream-status");
  var indicator = document.getElementById("live-indicator");

  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  if (!list) return;
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

  if (!window.EventSource) return;

  function placeRow(row) {
    var empty = document.getElementById("no-posts");
    if (empty) empty.remove();
    if (row.classList.contains("row--pinned")) { list.insertBefore(row, list.firstChild); return; }
    var firstUnpinned = list.querySelector(".row:not(.row--pinned)");
    list.insertBefore(row, firstUnpinned);
  }

  function refreshRow(id, isNew) {
    return fetch(list.dataset.rowUrl + id + "/row", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return null;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var row = template.content.firstElementChild;
        var old = document.getElementById("np-" + id);
        if (old && old.parentNode === list && !isNew) {
          var wasPinned = old.classList.contains("row--pinned");
          if (wasPinned !== row.classList.contains("row--pinned")) { old.remove(); placeRow(row); } else old.replaceWith(row);
        } else {
          if (old) old.remove();  // it was in the approval queue or the schedule
          placeRow(row);
          row.classList.add("row--new");
        }
        return row;
      });
  }

  function onChange(event) {
    var data = JSON.parse(event.data);
    list.dataset.seq = data.seq;
    var post = data.post;
    if (!post) return;
    if (data.type === "post.deleted") {
      var gone = document.getElementById("np-" + post.id);
      if (gone) gone.remove();
      announce("A post was deleted.");
      return;
    }
    refreshRow(post.id, data.type === "post.published").then(function () {
      var by = (post.authors || []).map(function (a) { return a.name; }).join(", ");
      if (data.type === "post.published") announce("New post" + (by ? " by " + by : "") + ": " + (post.headline || ""));
    });
  }

  var source = new EventSource("/live/" + encodeURIComponent(slug) + "/events?after=" + encodeURIComponent(list.dataset.seq));
  ["post.published", "post.updated", "post.pinned", "post.unpinned", "post.deleted"].forEach(function (type) {
    source.addEventListener(type, onChange);
  });
  source.addEventListener("open", function () { indicator.classList.add("live-dot--on"); });
  source.addEventListener("error", function () { indicator.classList.remove("live-dot--on"); });
})();
