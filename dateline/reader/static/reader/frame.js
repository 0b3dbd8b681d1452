/* The embed widget tells its host page how tall it is; embed.js on the host sizes the iframe (docs/reader.md). */

export function reportHeight() {
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last) {
      last = h;
      window.parent.postMessage({ type: "dateline:height", height: h, href: location.href }, "*");
    }
  };
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
}
