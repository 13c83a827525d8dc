// Resource page behaviour (no inline script, CSP-safe). Everything here also works without it:
// the 收藏 button is a form, downloads are links. With it:
// - 收藏 toggles in place;
// - for signed-in readers, where a video or audio stopped is saved (every 10 s of playback, on
//   pause, on leaving the page) to data-progress-endpoint, and the player resumes from
//   data-resume (set by the server from the last saved position);
// - "复制链接" copies the page address.
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = script && script.dataset.progressEndpoint;
  var token = script && script.dataset.csrfToken;
  var SAVE_EVERY = 10; // seconds of playback between saves

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  // --- 收藏 ---------------------------------------------------------------------------------
  function favourite(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button");
      var on = form.querySelector("input[name=on]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          var state = !!data.favourite;
          on.value = state ? "0" : "1";
          button.classList.toggle("is-on", state);
          button.setAttribute("aria-pressed", state ? "true" : "false");
          button.querySelector(".action-icon").textContent = state ? "★" : "☆";
          button.querySelector(".action-text").textContent = state ? "已收藏" : "收藏";
        })
        .catch(function () { form.submit(); })
        .then(function () { button.disabled = false; });
    });
  }

  // --- 学习记录: save and resume playback ----------------------------------------------------
  function save(media, useBeacon) {
    if (!endpoint || !isFinite(media.currentTime)) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token || "");
    body.append("resource", media.dataset.resource);
    body.append("file", media.dataset.file);
    body.append("position", media.currentTime.toFixed(1));
    body.append("duration", isFinite(media.duration) ? media.duration.toFixed(1) : "0");
    if (useBeacon && navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
    if (window.fetch) {
      fetch(endpoint, {
        method: "POST", body: body, credentials: "same-origin", keepalive: true,
        headers: { "X-CSRFToken": token || "" }
      }).catch(function () { /* saving progress must never disturb playback */ });
    }
  }

  function track(media) {
    var lastSaved = -1;
    media.addEventListener("timeupdate", function () {
      if (media.seeking || media.paused) return;
      if (Math.abs(media.currentTime - lastSaved) >= SAVE_EVERY) {
        lastSaved = media.currentTime;
        save(media, false);
      }
    });
    ["pause", "seeked", "ended"].forEach(function (name) {
      media.addEventListener(name, function () {
        if (media.currentTime > 0) { lastSaved = media.currentTime; save(media, false); }
      });
    });
    function leave() { if (media.currentTime > 0 && !media.ended) save(media, true); }
    window.addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") leave(); });
  }

  function resume(media) {
    var at = parseFloat(media.dataset.resume || "");
    if (!(at > 0)) return;
    var note = media.parentElement.querySelector(".resume-note");
    function seek() {
      if (isFinite(media.duration) && at >= media.duration - 1) return;
      try { media.currentTime = at; } catch (e) { return; }
      if (note) {
        note.textContent = "上次看到 " + clock(at) + "，已从这里继续。";
        var restart = document.createElement("button");
        restart.type = "button";
        restart.className = "link-button";
        restart.textContent = "从头播放";
        restart.addEventListener("click", function () { media.currentTime = 0; note.hidden = true; media.play(); });
        note.appendChild(document.createTextNode(" "));
        note.appendChild(restart);
        note.hidden = false;
      }
    }
    if (media.readyState >= 1) seek();
    else media.addEventListener("loadedmetadata", seek, { once: true });
  }

  // --- 复制链接 -------------------------------------------------------------------------------
  function copier(button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { button.textContent = "已复制"; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
        try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-favourite]").forEach(favourite);
    document.querySelectorAll("video[data-file], audio[data-file]").forEach(function (media) {
      if (endpoint) track(media);
      resume(media);
    });
    document.querySelectorAll("button[data-copy]").forEach(copier);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
