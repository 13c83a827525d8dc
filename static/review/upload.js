// The submission form uploads with XMLHttpRequest so that teachers see a progress bar for large
// videos (500 MB - 1 GB). Without JavaScript the form still posts normally.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var percent = document.getElementById("upload-percent");
  var errors = document.getElementById("form-errors");
  var busy = false;

  function showErrors(list) {
    var ul = errors.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
    errors.hidden = list.length === 0;
    if (list.length) { errors.scrollIntoView({ behavior: "smooth", block: "start" }); }
  }

  function setButtons(disabled) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = disabled; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.responseType = "json";
    box.hidden = false;
    bar.value = 0;
    percent.textContent = "0%";
    setButtons(true);
    showErrors([]);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var value = Math.round((e.loaded / e.total) * 100);
      bar.value = value;
      percent.textContent = value + "%";
    });
    xhr.addEventListener("load", function () {
      busy = false;
      var body = xhr.response || {};
      if (body.redirect) { window.location.assign(body.redirect); return; }
      setButtons(false);
      box.hidden = true;
      showErrors(body.errors || ["保存失败，请稍后重试。"]);
    });
    xhr.addEventListener("error", function () {
      busy = false;
      setButtons(false);
      box.hidden = true;
      showErrors(["网络中断，上传没有完成，请检查网络后重试。"]);
    });
    xhr.send(data);
  });
})();
