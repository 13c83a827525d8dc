// The submission form uploads with XMLHttpRequest so that teachers see a progress bar, speed and
// time left for large videos (500 MB - 1 GB); a large main file goes in resumable chunks (tus).
// Without JavaScript the form still posts normally.
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

  // --- sending ---------------------------------------------------------------------------------
  // A main file of at least `threshold` bytes goes first, in chunks, with the tus protocol
  // (vendored tus-js-client): a dropped connection costs one chunk, and after a closed tab the same
  // file continues where it stopped (the browser remembers the upload in localStorage). The form
  // is then saved with the finished upload's id instead of the file. Smaller files go with the form.
  var note = document.getElementById("upload-note");
  var hidden = form.querySelector("[name='main_file_upload']");
  var configNode = document.getElementById("resumable-config");
  var resumable = configNode ? JSON.parse(configNode.textContent) : null;
  var finished = null;  // {file, id}: a main file already sent in chunks, for this page
  var waitingOnline = null;

  function showNote(text, warning) {
    note.textContent = text;
    note.hidden = !text;
    note.classList.toggle("is-warning", !!warning);
  }

  function csrfToken() {
    var input = form.querySelector("[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function chunkedFile() {
    var input = form.querySelector("[name='main_file']");
    var file = input && input.files && input.files[0];
    if (!file || !resumable || !window.tus || !window.tus.isSupported) { return null; }
    return file.size >= resumable.threshold ? file : null;
  }

  function resourceTypeCode() {
    var select = form.querySelector("[name='resource_type']");
    var option = select && select.options[select.selectedIndex];
    return option ? (option.getAttribute("data-code") || "") : "";
  }

  // Speed and time left over what this attempt sent (not what an earlier attempt already stored).
  function meter(total) {
    var state = { since: Date.now(), base: 0 };
    state.restart = function (from) { state.since = Date.now(); state.base = from; };
    state.show = function (loaded, checking) {
      var value = total ? Math.floor((loaded / total) * 100) : 0;
      bar.value = value;
      percent.textContent = value + "%";
      var seconds = (Date.now() - state.since) / 1000;
      var fresh = loaded - state.base;
      if (seconds >= 1 && fresh > 0) {
        var rate = fresh / seconds;
        speed.textContent = "已上传 " + sizeText(loaded) + " / " + sizeText(total) + "，速度 " + sizeText(rate) + "/秒" +
          (loaded < total ? "，大约还需 " + duration((total - loaded) / rate) : checking);
      }
    };
    return state;
  }

  function stopped(messages) {
    busy = false;
    setButtons(false);
    box.hidden = true;
    showErrors(messages);
  }

  function sendInChunks(file, submitter) {
    var m = meter(file.size);
    var upload;
    showNote("", false);
    upload = new window.tus.Upload(file, {
      endpoint: resumable.endpoint,
      chunkSize: resumable.chunk,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRFToken": csrfToken() },
      metadata: { filename: file.name, filetype: file.type || "", field: "main_file", resource_type: resourceTypeCode() },
      onAfterResponse: function (req, res) {
        if (req.getMethod() === "HEAD" && res.getStatus() === 200) {
          var offset = parseInt(res.getHeader("Upload-Offset"), 10) || 0;
          if (offset > 0) {
            showNote("已从 " + Math.floor((offset / file.size) * 100) + "% 处继续上传，之前已传的部分不用重传。", false);
            m.restart(offset);
            m.show(offset, "");
          }
        }
      },
      onShouldRetry: function (err, attempt) {
        var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        var retry = (!status || status >= 500 || status === 409 || status === 423) && navigator.onLine !== false;
        if (retry) { showNote("网络不稳定，正在重新连接（第 " + (attempt + 1) + " 次）…", true); }
        return retry;
      },
      onProgress: function (sent, total) { m.show(sent, "，正在检查文件…"); },
      onSuccess: function () {
        var id = upload.url.replace(/\/+$/, "").split("/").pop();
        finished = { file: file, id: id };
        hidden.value = id;
        speed.textContent = "文件已全部上传，正在检查并保存…";
        postForm(submitter, true);
      },
      onError: function (err) {
        var res = err.originalResponse;
        var status = res ? res.getStatus() : 0;
        if (status >= 400 && status < 500 && status !== 409 && status !== 423) {
          var text = (res.getBody() || "").trim() || ("上传被拒绝（服务器返回 " + status + "）。");
          showFieldErrors("main_file", [text]);
          stopped([["作品文件", text, "main_file"]]);
          return;
        }
        var done = Math.floor((bar.value || 0));
        var keep = "已上传的部分会在服务器保留 " + resumable.hours + " 小时";
        if (navigator.onLine === false) {
          showNote("网络已断开（已上传 " + done + "%）。" + keep + "，网络恢复后会自动继续，请不要关闭页面。", true);
          waitingOnline = function () {
            waitingOnline = null;
            showNote("网络已恢复，正在继续上传…", false);
            upload.start();
          };
          window.addEventListener("online", function once() {
            window.removeEventListener("online", once);
            if (waitingOnline) { waitingOnline(); }
          });
          return;
        }
        showNote("上传中断（已上传 " + done + "%）。" + keep + "：检查网络后再点一次“保存”，会从断开处继续；" +
          "关闭页面后重新打开，选同一个文件再保存，也会接着上传。", true);
        busy = false;
        setButtons(false);
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
      upload.start();
    });
  }

  function postForm(submitter, withoutMainFile) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    if (withoutMainFile) {
      data.delete("main_file");
    } else {
      data.set("main_file_upload", "");
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.responseType = "json";
    var m = null;
    if (!withoutMainFile) {
      bar.value = 0;
      percent.textContent = "0%";
      speed.textContent = "";
    }
    xhr.upload.addEventListener("progress", function (e) {
      if (withoutMainFile || !e.lengthComputable) { return; }
      m = m || meter(e.total);
      m.show(e.loaded, "，正在检查文件…");
    });
    xhr.addEventListener("load", function () {
      busy = false;
      var body = xhr.response || {};
      if (body.redirect) { window.location.assign(body.redirect); return; }
      setButtons(false);
      box.hidden = true;
      var fieldErrors = body.field_errors || {};
      if (fieldErrors.main_file && withoutMainFile) {
        finished = null;  // the chunked upload cannot be used again: the next save sends the file anew
        hidden.value = "";
      }
      Object.keys(fieldErrors).forEach(function (name) { showFieldErrors(name, fieldErrors[name]); });
      showErrors(body.errors || ["保存失败（服务器返回 " + xhr.status + "），请稍后重试。您填写的内容还在页面上。"]);
    });
    xhr.addEventListener("error", function () {
      stopped(["上传中断：网络断开，或服务器拒收了过大的文件。请检查网络和文件大小后再点一次“保存”。您填写的内容还在页面上。"]);
    });
    xhr.send(data);
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
    box.hidden = false;
    setButtons(true);
    var file = chunkedFile();
    if (!file) {
      showNote("", false);
      postForm(event.submitter, false);
    } else if (finished && finished.file === file) {
      postForm(event.submitter, true);
    } else {
      finished = null;
      hidden.value = "";
      bar.value = 0;
      percent.textContent = "0%";
      speed.textContent = "";
      sendInChunks(file, event.submitter);
    }
  });
})();
