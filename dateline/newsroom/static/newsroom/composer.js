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

    var prompt = document.getElementById("draft-restore");
    var key = form.dataset.draftKey;
    if (!prompt || !key || !window.localStorage) return;
    var FIELDS = ["headline", "body", "tags", "publish_at", "verification_note", "update_note", "caption", "credit", "alt",
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
