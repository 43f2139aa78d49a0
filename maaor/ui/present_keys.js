// Keyboard and viewport of the Present page (maaor.ui.present.keyboard), served with the
// page: no CDN, no build step. Streamlit has no key-event API, so this listens on the
// document (the focus can be anywhere, including where a screen reader put it) and asks
// Python for a slide with a trigger; full screen is the browser's own.
//
// Keys: Right / PageDown / Space next, Left / PageUp previous, Home / End first / last,
// digits then Enter go to that slide (Escape forgets the digits), F full screen,
// P pause or resume auto-advance. Keys typed in a text field, list or menu are theirs.

const FIELD = "input, textarea, select, [contenteditable=''], [contenteditable='true'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='slider'], [role='spinbutton'], " +
  "[role='menu'], [role='menuitem'], [role='textbox']";

function inField(target) {
  return target instanceof Element && target.closest(FIELD) !== null;
}

function toggleFullScreen() {
  if (document.fullscreenElement) {
    document.exitFullscreen();
  } else if (document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(() => {});
  }
}

export default function (component) {
  const { data, setTriggerValue, setStateValue, parentElement } = component;
  const live = parentElement.querySelector("[data-maaor-live]");
  const hint = parentElement.querySelector("[data-maaor-jump]");
  if (live && live.textContent !== data.announce) live.textContent = data.announce;
  // What this run draws, slide and viewport ("3@1366x768"): tests wait on it before
  // they measure a slide.
  if (live) live.dataset.shown = `${data.number}@${data.viewport.w}x${data.viewport.h}`;
  let digits = "";

  const showDigits = () => {
    if (hint) hint.textContent = digits ? data.jump_label.replace("{n}", digits) : "";
  };
  const go = (n) => setTriggerValue("go", Math.min(Math.max(n, 1), data.total));

  const onKey = (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if (inField(event.target)) return;
    const key = event.key;
    const onButton = event.target instanceof Element && event.target.closest("button, a");
    let handled = true;
    if (/^[0-9]$/.test(key)) {
      digits = (digits + key).slice(-3);
      showDigits();
    } else if (key === "Enter" && digits) {
      go(parseInt(digits, 10));
      digits = "";
      showDigits();
    } else if (key === "Escape" && digits) {
      digits = "";
      showDigits();
    } else if (key === "ArrowRight" || key === "PageDown" || (key === " " && !onButton)) {
      if (data.number < data.total) go(data.number + 1);
    } else if (key === "ArrowLeft" || key === "PageUp") {
      if (data.number > 1) go(data.number - 1);
    } else if (key === "Home") {
      go(1);
    } else if (key === "End") {
      go(data.total);
    } else if (key === "f" || key === "F") {
      toggleFullScreen();
    } else if (key === "p" || key === "P") {
      setTriggerValue("pause", true);
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  };

  // The viewport sizes the charts and the map (Python draws them in pixels).
  let timer = null;
  const report = () => {
    const size = { w: window.innerWidth, h: window.innerHeight };
    const known = data.viewport || {};
    if (known.w !== size.w || known.h !== size.h) setStateValue("viewport", size);
  };
  const onResize = () => {
    clearTimeout(timer);
    timer = setTimeout(report, 250);
  };

  // One listener per page, whatever the number of reruns.
  if (window.__maaorPresentCleanup) window.__maaorPresentCleanup();
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", onResize);
  const cleanup = () => {
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("resize", onResize);
    clearTimeout(timer);
    if (window.__maaorPresentCleanup === cleanup) window.__maaorPresentCleanup = null;
  };
  window.__maaorPresentCleanup = cleanup;
  report();
  return cleanup;
}
