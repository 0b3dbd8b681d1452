/* The edit page tells the server every 10 s that this person has the post open, and shows who else has:
   advisory only — the version check on save is what guarantees nobody's words are overwritten. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  var notice = document.getElementById("presence");
  if (!form || !notice || !window.fetch) return;
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var myVersion = parseInt(form.elements.version.value, 10);

  function beat() {
    fetch(form.dataset.heartbeatUrl, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var parts = [];
        if (data.editing.length) parts.push(data.editing.join(", ") + (data.editing.length > 1 ? " are" : " is") + " also editing this post.");
        if (data.version > myVersion) parts.push("It was saved by someone else since you opened it (now version " + data.version + "); saving will show you the differences first.");
        notice.textContent = parts.join(" ");
        notice.hidden = !parts.length;
      })
      .catch(function () { /* offline: try again on the next beat */ });
  }
  beat();
  setInterval(beat, 10000);
})();
