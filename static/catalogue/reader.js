// In-page document reader built on the vendored pdf.js (static/vendor/pdfjs, npm pdfjs-dist,
// legacy build for older phone browsers such as WeChat's). A module script: no inline code, no
// eval (isEvalSupported: false), everything from this origin, so the strict CSP holds.
//
// Markup (catalogue/includes/document_reader.html):
//   <details class="doc-reader" data-pdf="/files/12/preview.pdf" [open]>
//     <summary>…</summary>
//     <div class="reader-toolbar" hidden>…</div>
//     <div class="reader-pages"></div>
//     <p class="reader-fallback">…download link…</p>
//   </details>
// A reader loads its PDF only when opened. Pages are drawn when they scroll near the view.
import * as pdfjsLib from "../vendor/pdfjs/pdf.min.js";

const BASE = new URL("../vendor/pdfjs/", import.meta.url).href;
pdfjsLib.GlobalWorkerOptions.workerSrc = BASE + "pdf.worker.min.js";

const MIN_ZOOM = 0.6;
const MAX_ZOOM = 3;

function text(el, value) {
  if (el) el.textContent = value;
}

class Reader {
  constructor(root) {
    this.root = root;
    this.url = root.dataset.pdf;
    this.pagesBox = root.querySelector(".reader-pages");
    this.toolbar = root.querySelector(".reader-toolbar");
    this.status = root.querySelector(".reader-status");
    this.fallback = root.querySelector(".reader-fallback");
    this.zoom = 1;
    this.loading = null;
    this.rendered = new Map();
  }

  open() {
    if (!this.loading) this.loading = this.load();
    return this.loading;
  }

  async load() {
    this.root.classList.add("reader-loading");
    text(this.status, "正在打开文档…");
    try {
      const task = pdfjsLib.getDocument({
        url: this.url,
        cMapUrl: BASE + "cmaps/",
        cMapPacked: true,
        standardFontDataUrl: BASE + "standard_fonts/",
        wasmUrl: BASE + "wasm/",
        iccUrl: BASE + "iccs/",
        isEvalSupported: false,
        enableXfa: false,
        withCredentials: true,
      });
      this.pdf = await task.promise;
    } catch (error) {
      this.fail();
      return;
    }
    this.root.classList.remove("reader-loading");
    this.root.classList.add("reader-ready");
    if (this.fallback) this.fallback.hidden = true;
    if (this.toolbar) this.toolbar.hidden = false;
    text(this.root.querySelector(".reader-total"), String(this.pdf.numPages));
    text(this.status, "");
    const first = await this.pdf.getPage(1);
    const base = first.getViewport({ scale: 1 });
    this.ratio = base.height / base.width;
    this.slots = [];
    for (let n = 1; n <= this.pdf.numPages; n++) {
      const slot = document.createElement("div");
      slot.className = "reader-page";
      slot.dataset.page = String(n);
      slot.setAttribute("role", "img");
      slot.setAttribute("aria-label", `第 ${n} 页`);
      this.pagesBox.appendChild(slot);
      this.slots.push(slot);
    }
    this.layout();
    this.observe();
    this.bindToolbar();
    window.addEventListener("resize", () => this.relayout());
  }

  fail() {
    this.root.classList.remove("reader-loading");
    this.root.classList.add("reader-failed");
    text(this.status, "");
    if (this.fallback) {
      this.fallback.hidden = false;
      const why = this.fallback.querySelector(".reader-why");
      text(why, "文档无法在页面中显示，请下载后阅读。");
    }
  }

  width() {
    return Math.max(200, this.pagesBox.clientWidth - 2) * this.zoom;
  }

  layout() {
    const w = this.width();
    for (const slot of this.slots) {
      slot.style.width = `${Math.round(w)}px`;
      slot.style.height = `${Math.round(w * this.ratio)}px`;
    }
  }

  relayout() {
    if (!this.slots) return;
    const w = this.width();
    if (Math.abs(w - (this.lastWidth || 0)) < 2) return;
    this.lastWidth = w;
    this.layout();
    this.rendered.clear();
    for (const slot of this.slots) slot.textContent = "";
    this.renderVisible();
  }

  observe() {
    if (!("IntersectionObserver" in window)) {
      this.slots.forEach((slot) => this.render(slot));
      return;
    }
    this.visible = new Set();
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            this.visible.add(entry.target);
            this.render(entry.target);
          } else {
            this.visible.delete(entry.target);
          }
        }
        this.updateCurrent();
      },
      { root: this.pagesBox, rootMargin: "400px 0px" }
    );
    this.slots.forEach((slot) => this.observer.observe(slot));
    this.pagesBox.addEventListener("scroll", () => this.updateCurrent(), { passive: true });
  }

  renderVisible() {
    (this.visible ? [...this.visible] : this.slots).forEach((slot) => this.render(slot));
  }

  async render(slot) {
    const n = Number(slot.dataset.page);
    const w = this.width();
    if (this.rendered.get(n) === w) return;
    this.rendered.set(n, w);
    const page = await this.pdf.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const scale = w / base.width;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const viewport = page.getViewport({ scale: scale * dpr });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.round(w)}px`;
    canvas.style.height = `${Math.round(w * (base.height / base.width))}px`;
    try {
      await page.render({ canvas, viewport }).promise;
    } catch (error) {
      this.rendered.delete(n);
      return;
    }
    if (this.rendered.get(n) !== w) return; // zoomed meanwhile: a newer render takes its place
    slot.textContent = "";
    slot.appendChild(canvas);
    slot.classList.add("drawn");
  }

  updateCurrent() {
    if (!this.slots) return;
    const top = this.pagesBox.getBoundingClientRect().top;
    let current = 1;
    for (const slot of this.slots) {
      if (slot.getBoundingClientRect().top - top <= 40) current = Number(slot.dataset.page);
      else break;
    }
    text(this.root.querySelector(".reader-current"), String(current));
  }

  setZoom(zoom) {
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    text(this.root.querySelector(".reader-zoom"), `${Math.round(this.zoom * 100)}%`);
    this.lastWidth = 0;
    this.relayout();
  }

  bindToolbar() {
    const bind = (selector, handler) => {
      const button = this.root.querySelector(selector);
      if (button) button.addEventListener("click", handler);
    };
    bind(".reader-zoom-in", () => this.setZoom(this.zoom + 0.2));
    bind(".reader-zoom-out", () => this.setZoom(this.zoom - 0.2));
    bind(".reader-fit", () => this.setZoom(1));
  }
}

function init() {
  document.querySelectorAll(".doc-reader[data-pdf]").forEach((root) => {
    const reader = new Reader(root);
    root.classList.add("reader-enhanced");
    if (root.tagName === "DETAILS") {
      if (root.open) reader.open();
      root.addEventListener("toggle", () => {
        if (root.open) reader.open().then(() => reader.relayout());
      });
    } else {
      reader.open();
    }
  });
}

init();
