/* Composer behaviour shared by the new-post and edit forms:
   - an image over the upload limit is refused with a message beside the field, before anything is sent;
   - Ctrl/Cmd+Enter submits with the primary button (Publish / Submit for approval / Save changes);
   - the new-post form autosaves to localStorage on every keystroke (debounced), so a closed tab, a crash or a lost
     connection loses nothing; on return the desk offers to restore it; a successful filing clears it;
   - the edit form does the same for changes to a saved post (per post and user, with the version they were made
     to); a successful save clears it, and an offer made after someone else saved the post says so.
   Loaded before the editor module so it hears the editor's "prose-editor:ready" event. */
(function () {
  "use strict";
  var editors = {};
  document.addEventListener("prose-editor:ready", function (event) {
    editors[event.detail.textarea.id] = event.detail.editor;
  });

  // Declared before ``ready`` runs: a deferred script may find the document already parsed and run it at once.
  var NEW_FIELDS = ["headline", "body", "tags", "publish_at", "verification", "verification_note", "update_note", "caption",
                    "credit", "alt", "embed_url"];
  var EDIT_FIELDS = ["headline", "body", "tags", "publish_at", "verification", "verification_note", "update_note",
                     "correction"];

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
    checkFileSize(form);

    var url = new URL(window.location.href);
    forgetSavedEdit(form, url);
    var prompt = document.getElementById("draft-restore");
    var key = form.dataset.draftKey;
    if (!prompt || !key || !window.localStorage) return;
    if (form.dataset.draftMode === "edit") autosaveEdit(form, prompt, key); else autosaveNew(form, prompt, key, url);
  });

  /* An image over the server's body limit is refused by the server before Django runs (a JSON 413, which a browser
     shows as a raw page, losing the form). So the chosen file's size is checked here first, against the limit the
     page states (data-max-bytes), and the form is not sent while it is too large. The server's check stays the guard. */
  function checkFileSize(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    var message = document.getElementById("image-error");
    if (!input || !message) return;
    var max = parseInt(input.dataset.maxBytes, 10);
    function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
    function check() {
      var file = input.files && input.files[0];
      var tooBig = !!file && max > 0 && file.size > max;
      var text = tooBig ? "This image is " + megabytes(file.size) + "; at most " + megabytes(max) +
        " can be uploaded. Choose a smaller file or export it at a lower resolution." : "";
      input.setCustomValidity(text);
      if (tooBig) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      message.textContent = text;
      message.hidden = !tooBig;
      return !tooBig;
    }
    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) { event.preventDefault(); input.focus(); }
    });
  }

  function values(form, fields) {
    var data = {};
    fields.forEach(function (name) { var el = form.elements[name]; data[name] = el ? el.value : ""; });
    return data;
  }
  function store(key, data) {
    try { if (data) localStorage.setItem(key, JSON.stringify(data)); else localStorage.removeItem(key); } catch (e) { /* storage full or disabled: nothing to do */ }
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function fill(form, fields, stored) {
    fields.forEach(function (name) {
      var el = form.elements[name];
      if (!el || stored[name] === undefined) return;
      if (name === "body") setBody(form, stored.body); else el.value = stored[name];
    });
  }
  function offer(prompt, stored, onRestore, onDiscard) {
    document.getElementById("draft-restore-when").textContent = new Date(stored.savedAt).toLocaleString();
    prompt.hidden = false;
    document.getElementById("draft-restore-yes").addEventListener("click", function () {
      onRestore();
      prompt.hidden = true;
    });
    document.getElementById("draft-restore-no").addEventListener("click", function () {
      onDiscard();
      prompt.hidden = true;
    });
  }

  /* The desk's new-post form: a non-empty form is kept under the blog's key until the server accepts it. */
  function autosaveNew(form, prompt, key, url) {
    function snapshot() {
      var data = values(form, NEW_FIELDS), empty = true;
      NEW_FIELDS.forEach(function (name) { if (data[name] && name !== "publish_at") empty = false; });
      data.savedAt = new Date().toISOString();
      return empty ? null : data;
    }
    function save() { store(key, snapshot()); }
    var timer = null;
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 400); });
    window.addEventListener("pagehide", save);

    if (url.searchParams.has("filed")) {  // the server accepted the post: the draft is filed, forget it
      localStorage.removeItem(key);
      url.searchParams.delete("filed");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
      return;
    }
    var stored = load(key);
    if (!stored) return;
    if (snapshot()) return;  // the server re-showed this form with its values (a refused attempt): keep those
    offer(prompt, stored, function () {
      fill(form, NEW_FIELDS, stored);
      form.elements.headline.focus();
    }, function () { localStorage.removeItem(key); });
  }

  /* The edit form starts full (the saved post), so it is autosaved only once the person changes something, with the
     version the change was made to. Offered back on the next visit; if the post has been saved since, the offer says
     so and a restore keeps the old version number, so saving shows the differences first instead of overwriting. */
  function autosaveEdit(form, prompt, key) {
    var versionField = form.elements.version;
    var touched = false;
    function same(a, b) {  // the editor may re-serialise the body (spacing) without anyone changing a word
      return EDIT_FIELDS.every(function (name) {
        return String(a[name] || "").replace(/\s+/g, " ").trim() === String(b[name] || "").replace(/\s+/g, " ").trim();
      });
    }
    var initial = values(form, EDIT_FIELDS);
    // A refused save (422, or 409 with the diff) shows the person's unsaved text: it is worth keeping as it is.
    var refused = form.hasAttribute("data-refused");
    function save() {
      if (!touched) return;
      var data = values(form, EDIT_FIELDS);
      if (same(data, initial) && !refused) { store(key, null); return; }
      // After a conflict the form may save over the newer version (a deliberate choice made while reading the
      // diff); the autosave keeps the version the text was written against, so a later restore warns again.
      data.version = parseInt(form.dataset.baseVersion || versionField.value, 10);
      data.savedAt = new Date().toISOString();
      store(key, data);
    }
    var timer = null;
    form.addEventListener("input", function () { touched = true; clearTimeout(timer); timer = setTimeout(save, 400); });
    window.addEventListener("pagehide", save);

    var stored = load(key);
    if (refused) {  // keep the text the server refused (typed faster than the autosave, perhaps) until it is saved
      touched = true;
      if (!stored || !same(stored, initial)) save();
      return;
    }
    if (!stored) return;
    if (same(stored, initial)) { store(key, null); return; }  // the post already says this: nothing to offer
    var current = parseInt(versionField.value, 10);
    var stale = document.getElementById("draft-restore-stale");
    if (stored.version < current) {
      document.getElementById("draft-restore-base").textContent = stored.version;
      document.getElementById("draft-restore-current").textContent = current;
      stale.hidden = false;
    }
    offer(prompt, stored, function () {
      fill(form, EDIT_FIELDS, stored);
      // Keep the version the changes were made to: the server then refuses a save over a newer one with a diff.
      if (stored.version < current) versionField.value = stored.version;
      touched = true;
      save();
      form.elements.headline.focus();
    }, function () { store(key, null); });
  }

  /* After an edit is saved the server sends the desk "?saved=<post id>": that post's autosaved edit is filed. */
  function forgetSavedEdit(form, url) {
    var saved = url.searchParams.get("saved");
    if (!saved || !/^\d+$/.test(saved)) return;
    if (window.localStorage && form.dataset.userId) store("dateline:edit:" + saved + ":" + form.dataset.userId, null);
    url.searchParams.delete("saved");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
})();
