/* Composer behaviour shared by the new-post and edit forms:
   - Ctrl/Cmd+Enter submits with the primary button (Publish / Submit for approval / Save changes);
   - the new-post form autosaves to localStorage on every keystroke (debounced), so a closed tab, a crash or a lost
     connection loses nothing; on return the desk offers to restore it; a successful filing clears it.
   Loaded before the editor module so it hears the editor's "prose-editor:ready" event. */
(function () {
  "use strict";
  var editors = {};
  document.addEventListener("prose-editor:ready", function (event) {
    editors[event.detail.textarea.id] = event.detail.editor;
  });

  function setBody(form, html) {
    var textarea = form.querySelector("textarea[name=body]");
    textarea.value = html;
    var editor = editors[textarea.id];
    if (editor) editor.commands.setContent(html || "", true);
  }

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn); else fn();
  }

  /* The desk's assistant: as the reporter pauses typing, ask which earlier posts this one may repeat and which of
     its figures name no source, and list them beside the form — advice, never a block. Answers to older questions
     are ignored. */
  function watchWithAssistant(form) {
    var box = document.getElementById("assist");
    if (!box || !window.fetch) return;
    var asked = "", latest = 0, timer = null;
    function section(title, items, fill) {
      if (!items.length) return;
      var p = document.createElement("p"), strong = document.createElement("strong"), list = document.createElement("ul");
      strong.textContent = title;
      p.appendChild(strong);
      items.forEach(function (item) { var li = document.createElement("li"); fill(li, item); list.appendChild(li); });
      box.appendChild(p);
      box.appendChild(list);
    }
    function show(answer) {
      box.textContent = "";
      var similar = answer.similar || [], unattributed = answer.unattributed || [];
      section(similar.length > 1 ? "This may repeat earlier posts:" : "This may repeat an earlier post:", similar,
        function (li, post) {
          var a = document.createElement("a");
          a.href = post.url;
          a.textContent = (post.time ? post.time + " · " : "") + (post.headline || "Post " + post.id);
          li.appendChild(a);
          li.appendChild(document.createTextNode(" (" + Math.round(post.score * 100) + "% alike" +
                                                 (post.status === "published" ? "" : ", not yet published") + ")"));
        });
      section("Who says so? These figures name no source — attribute them, or add a verification note:", unattributed,
        function (li, sentence) { li.textContent = sentence; });
    }
    function field(name) { var el = form.elements[name]; return el ? el.value : ""; }
    function ask() {
      var headline = field("headline"), body = field("body"), note = field("verification_note");
      var label = field("verification");
      var question = [headline, body, note || label ? "noted" : ""].join("\u0000");
      if (question === asked) return;
      asked = question;
      var mine = ++latest;
      if ((headline + " " + body.replace(/<[^>]*>/g, " ")).split(/\s+/).filter(Boolean).length < 5) { show({}); return; }
      var data = new FormData();
      data.append("headline", headline);
      data.append("body", body);
      data.append("verification_note", note);
      data.append("verification", label);
      if (box.dataset.exclude) data.append("exclude", box.dataset.exclude);
      fetch(box.dataset.checkUrl, { method: "POST", body: data, credentials: "same-origin",
                                    headers: { "X-CSRFToken": field("csrfmiddlewaretoken") } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) { if (answer && mine === latest) show(answer); })
        .catch(function () { /* advice: a failed check shows nothing */ });
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 700); });
    // A new post shown again with its values (a refused attempt) is checked at once; an edit only once it changes.
    if (field("headline") && !box.dataset.exclude) ask();
  }

  ready(function () {
    var form = document.querySelector("form[data-shortcut-intent]");
    if (!form) return;
    var primary = form.querySelector("#publish-button, #save-button");

    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(primary); else primary.click();
      }
    });

    // A publish time turns "Publish" into "Schedule", so nobody publishes at once by accident.
    var publishAt = form.querySelector("[name=publish_at]");
    if (publishAt && primary && primary.dataset.scheduleLabel) {
      var label = primary.textContent;
      var relabel = function () { primary.textContent = publishAt.value ? primary.dataset.scheduleLabel : label; };
      publishAt.addEventListener("input", relabel);
      relabel();
    }

    watchWithAssistant(form);

    var prompt = document.getElementById("draft-restore");
    var key = form.dataset.draftKey;
    if (!prompt || !key || !window.localStorage) return;
    var FIELDS = ["headline", "body", "tags", "publish_at", "verification", "verification_note", "update_note", "caption", "credit", "alt",
                  "embed_url"];

    function snapshot() {
      var data = { savedAt: new Date().toISOString() };
      var empty = true;
      FIELDS.forEach(function (name) {
        var el = form.elements[name];
        data[name] = el ? el.value : "";
        if (data[name] && name !== "publish_at") empty = false;
      });
      return empty ? null : data;
    }
    function save() {
      var data = snapshot();
      try { if (data) localStorage.setItem(key, JSON.stringify(data)); else localStorage.removeItem(key); } catch (e) { /* storage full or disabled: nothing to do */ }
    }
    var timer = null;
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 400); });
    window.addEventListener("pagehide", save);

    var url = new URL(window.location.href);
    if (url.searchParams.has("filed")) {  // the server accepted the post: the draft is filed, forget it
      localStorage.removeItem(key);
      url.searchParams.delete("filed");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
      return;
    }
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (!stored) return;
    if (snapshot()) return;  // the server re-showed this form with its values (a refused attempt): keep those
    document.getElementById("draft-restore-when").textContent = new Date(stored.savedAt).toLocaleString();
    prompt.hidden = false;
    document.getElementById("draft-restore-yes").addEventListener("click", function () {
      FIELDS.forEach(function (name) {
        var el = form.elements[name];
        if (!el || stored[name] === undefined) return;
        if (name === "body") setBody(form, stored.body); else el.value = stored[name];
      });
      prompt.hidden = true;
      form.elements.headline.focus();
    });
    document.getElementById("draft-restore-no").addEventListener("click", function () {
      localStorage.removeItem(key);
      prompt.hidden = true;
    });
  });
})();
