// Reports each play of a video or audio once to the indicators app (POST, CSRF-protected).
// A play is counted when playback starts; pausing and resuming is the same play, and a new play
// begins only after the media has ended. The token comes from this script tag's data-csrf-token
// (or the csrftoken cookie); no inline script is needed.
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = (script && script.dataset.endpoint) || "/indicators/play/";

  function csrfToken() {
    if (script && script.dataset.csrfToken) return script.dataset.csrfToken;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function report(media) {
    var body = new FormData();
    body.append("resource", media.dataset.resource);
    body.append("file", media.dataset.file);
    body.append("kind", media.dataset.kind || "");
    return fetch(endpoint, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken() }
    }).catch(function () { /* counting must never disturb playback */ });
  }

  function watch(media) {
    var counted = false;
    media.addEventListener("play", function () {
      if (counted) return;
      counted = true;
      media.dataset.playReported = "1";
      report(media);
    });
    media.addEventListener("ended", function () { counted = false; });
  }

  function init() {
    document.querySelectorAll("video[data-resource][data-file], audio[data-resource][data-file]").forEach(watch);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
