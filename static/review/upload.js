// The submission form uploads with XMLHttpRequest so that teachers see a progress bar for large
// videos (500 MB - 1 GB). Without JavaScript the form still posts normally.
// Before anything is sent, each chosen file is checked against the size limit the server states
// on its input (data-max-bytes), so a teacher learns at once, beside the field, that a file is too
// big. The server checks everything again while the file arrives; its messages come back per field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var percent = document.getElementById("upload-percent");
  var errors = document.getElementById("form-errors");
  var speed = document.getElementById("upload-speed");
  var checker = window.zmdFormCheck;
  var busy = false;

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024 * 1024) { return (bytes / 1024 / 1024 / 1024).toFixed(2) + " GB"; }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function fieldBox(name) {
    var input = form.querySelector("[name='" + name + "']");
    return input ? input.closest(".field") : null;
  }

  function clearFieldErrors(box) {
    box.classList.remove("has-error");
    box.querySelectorAll("p.error[data-client]").forEach(function (p) { p.remove(); });
  }

  function showFieldErrors(name, list) {
    var box = fieldBox(name);
    if (!box) { return false; }
    clearFieldErrors(box);
    box.querySelectorAll("p.error").forEach(function (p) { p.remove(); });
    list.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "error";
      p.setAttribute("data-client", "");
      p.textContent = text;
      box.appendChild(p);
    });
    if (list.length) { box.classList.add("has-error"); }
    return true;
  }

  // The summary at the top: each entry links to the field it is about (the message is beside it too).
  function showErrors(list) {
    var ul = errors.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (entry) {
      var li = document.createElement("li");
      if (Array.isArray(entry)) {
        var a = document.createElement("a");
        var input = form.querySelector("[name='" + entry[2] + "']");
        a.href = "#" + (input && input.id ? input.id : "submission-form");
        a.textContent = (entry[0] ? entry[0] + "：" : "") + entry[1];
        li.appendChild(a);
      } else {
        li.textContent = entry;
      }
      ul.appendChild(li);
    });
    errors.hidden = list.length === 0;
    if (list.length && !form.querySelector(".field.has-error")) { errors.scrollIntoView({ behavior: "smooth", block: "start" }); }
  }

  function clearAll() {
    form.querySelectorAll(".field").forEach(function (box) {
      box.classList.remove("has-error");
      box.querySelectorAll("p.error").forEach(function (p) { p.remove(); });
    });
    showErrors([]);
  }

  // The sizes the server allows, checked before a byte is sent.
  function sizeProblems(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var problems = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (file.size === 0) {
        problems.push("《" + file.name + "》是空文件（0 字节），请重新选择正确的文件。");
      } else if (limit && file.size > limit) {
        problems.push("《" + file.name + "》有 " + sizeText(file.size) + "，超过了上限 " +
          input.getAttribute("data-max-text") + "。请压缩后再上传。");
      }
    });
    return problems;
  }

  function precheck(action) {
    var all = [];
    var total = 0;
    if (checker) {
      all = checker.checkAll(action);
    } else {
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        var problems = sizeProblems(input);
        showFieldErrors(input.name, problems);
        all = all.concat(problems);
      });
    }
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    var cap = parseInt(form.getAttribute("data-max-request") || "0", 10);
    if (cap && total > cap) {
      all.push("所选文件合计 " + sizeText(total) + "，超过了一次最多 " + form.getAttribute("data-max-request-text") +
        " 的限制。请压缩文件，或先保存一部分，再修改上传其余文件。");
    }
    return all;
  }

  form.querySelectorAll("input[type=file]").forEach(function (input) {
    if (checker) {
      checker.addCheck(input.name, function () { return sizeProblems(input); });
    } else {
      input.addEventListener("change", function () { showFieldErrors(input.name, sizeProblems(input)); });
    }
  });

  function duration(seconds) {
    if (!isFinite(seconds) || seconds < 0) { return ""; }
    if (seconds < 60) { return Math.max(1, Math.round(seconds)) + " 秒"; }
    var m = Math.floor(seconds / 60);
    return m < 60 ? m + " 分 " + Math.round(seconds % 60) + " 秒" : Math.floor(m / 60) + " 小时 " + (m % 60) + " 分";
  }

  // Leaving the page while an upload runs loses it: the browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (!busy) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  function setButtons(disabled) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = disabled; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    clearAll();
    var action = event.submitter && event.submitter.value === "submit" ? "submit" : "draft";
    var problems = precheck(action);
    if (problems.length) {
      showErrors(problems);
      var first = form.querySelector(".field.has-error");
      if (first) { first.scrollIntoView({ behavior: "smooth", block: "center" }); }
      return;
    }
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
    speed.textContent = "";
    setButtons(true);
    var started = Date.now();
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var value = Math.round((e.loaded / e.total) * 100);
      bar.value = value;
      percent.textContent = value + "%";
      var seconds = (Date.now() - started) / 1000;
      if (seconds >= 1 && e.loaded > 0) {
        var rate = e.loaded / seconds;
        speed.textContent = "已上传 " + sizeText(e.loaded) + " / " + sizeText(e.total) + "，速度 " +
          sizeText(rate) + "/秒" + (e.loaded < e.total ? "，大约还需 " + duration((e.total - e.loaded) / rate) : "，正在检查文件…");
      }
    });
    xhr.addEventListener("load", function () {
      busy = false;
      var body = xhr.response || {};
      if (body.redirect) { window.location.assign(body.redirect); return; }
      setButtons(false);
      box.hidden = true;
      var fieldErrors = body.field_errors || {};
      Object.keys(fieldErrors).forEach(function (name) { showFieldErrors(name, fieldErrors[name]); });
      showErrors(body.errors || ["保存失败（服务器返回 " + xhr.status + "），请稍后重试。您填写的内容还在页面上。"]);
    });
    xhr.addEventListener("error", function () {
      busy = false;
      setButtons(false);
      box.hidden = true;
      showErrors(["上传中断：网络断开，或服务器拒收了过大的文件。请检查网络和文件大小后再点一次“保存”。您填写的内容还在页面上。"]);
    });
    xhr.send(data);
  });
})();
