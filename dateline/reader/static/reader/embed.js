/* Dateline embed helper for third-party pages: sizes every <iframe data-dateline-embed> to its content.
 * The framed page posts {type: "dateline:height", height} to its parent; we accept it only from that frame's
 * window and origin. */
(function () {
  'use strict';
  if (window.__datelineEmbed) return;
  window.__datelineEmbed = true;
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || d.type !== 'dateline:height' || typeof d.height !== 'number') return;
    var frames = document.querySelectorAll('iframe[data-dateline-embed]');
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.contentWindow !== e.source) continue;
      if (new URL(f.src, location.href).origin !== e.origin) return;
      f.style.height = Math.max(120, Math.min(d.height, 20000)) + 'px';
    }
  });
})();
