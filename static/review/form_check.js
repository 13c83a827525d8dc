// The submission form checks itself as the teacher goes, with the server's rules (review/forms.py,
// review/checks.py and the quality standard in force, handed over in #file-rules): each problem is
// shown beside its field, with what to do. The server checks everything again; its answers come back
// per field too (upload.js). The 专题 list follows the chosen 主题 and the 年级 boxes the chosen 学段;
// the file rules of the chosen resource type are shown beside the file field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  var rulesNode = document.getElementById("file-rules");
  if (!form || !rulesNode) { return; }
  var rules = JSON.parse(rulesNode.textContent || "{}");
  var hasNode = document.getElementById("has-files");
  var has = hasNode ? JSON.parse(hasNode.textContent || "{}") : {};
  var types = rules.types || {};

  function el(name) { return form.elements.namedItem(name); }
  function fieldBox(name) { return form.querySelector(".field[data-field='" + name + "']"); }
  function value(name) { var e = el(name); return e && e.value !== undefined ? e.value.trim() : ""; }
  function files(name) { var e = el(name); return e && e.files ? Array.prototype.slice.call(e.files) : []; }
  function checked(name) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name='" + name + "']"), function (i) { return i.checked; });
  }
  function typeCode() {
    var select = el("resource_type");
    var option = select && select.options[select.selectedIndex];
    return option ? option.getAttribute("data-code") || "" : "";
  }
  function typeName() {
    var select = el("resource_type");
    return select && select.value ? select.options[select.selectedIndex].text : "";
  }
  function ext(name) { var i = name.lastIndexOf("."); return i < 0 ? "" : name.slice(i + 1).toLowerCase(); }
  function upper(list) { return list.map(function (e) { return e.toUpperCase(); }).join("/"); }

  function show(name, list) {
    var box = fieldBox(name);
    if (!box) { return; }
    box.querySelectorAll("p.error").forEach(function (p) { p.remove(); });
    box.classList.toggle("has-error", list.length > 0);
    var input = el(name);
    list.forEach(function (text, n) {
      var p = document.createElement("p");
      p.className = "error";
      p.id = "error-" + name + "-" + n;
      p.textContent = text;
      box.appendChild(p);
    });
    if (input && input.setAttribute) {
      if (list.length) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
  }

  function wrongExtension(name, allowed, what) {
    var problems = [];
    files(name).forEach(function (file) {
      if (allowed.length && allowed.indexOf(ext(file.name)) < 0) {
        problems.push("《" + file.name + "》不是" + what + "可以用的格式。请选择 " + upper(allowed) +
          " 文件（请用软件导出或另存为这种格式，只改扩展名没有用）。");
      }
    });
    return problems;
  }

  // Each rule: the problems of one field now (action: "draft" or "submit").
  var checks = {
    title: function () {
      var v = value("title");
      if (!v) { return ["请填写作品名称（120 字以内）。"]; }
      return v.length > 120 ? ["作品名称最多 120 字，现在 " + v.length + " 字，请删短一些。"] : [];
    },
    resource_type: function () { return value("resource_type") ? [] : ["请选择资源类型，例如“微课视频”。"]; },
    theme: function () { return value("theme") ? [] : ["请选择作品所属的主题。"]; },
    topic: function () {
      var select = el("topic");
      var option = select.options[select.selectedIndex];
      if (option && option.value && value("theme") && option.getAttribute("data-theme") !== value("theme")) {
        return ["所选专题不属于所选主题，请在专题列表中重新选择。"];
      }
      return [];
    },
    stage: function () { return value("stage") ? [] : ["请选择学段（小学、初中或高中）。"]; },
    grades: function () {
      var stage = value("stage");
      var wrong = checked("grades").filter(function (i) { return stage && i.getAttribute("data-stage") !== stage; });
      return wrong.length ? ["所选年级与学段不一致，请只勾选所选学段的年级。"] : [];
    },
    subjects: function () { return checked("subjects").length ? [] : ["请至少勾选一个学科。"]; },
    description: function () {
      var v = value("description");
      if (!v) { return ["请填写作品简介：教学目标、内容和使用方法，300 字左右。"]; }
      return v.length > 3000 ? ["作品简介最多 3000 字，现在 " + v.length + " 字，请删短一些。"] : [];
    },
    authors: function () { return value("authors") ? [] : ["请填写作者姓名，多位作者用顿号分隔。"]; },
    licence_confirmed: function (action) {
      if (el("licence_confirmed").checked) { return []; }
      var chosen = ["main_file", "cover", "extra_file", "gallery"].some(function (n) { return files(n).length; });
      if (action === "submit") { return ["提交评审前请勾选这项承诺（作品为原创或已获授权）。"]; }
      return chosen ? ["上传文件前请先勾选这项承诺（作品为原创或已获授权）。"] : [];
    },
    main_file: function (action) {
      var code = typeCode();
      var rule = types[code];
      var chosen = files("main_file");
      if (rule && rule.needs !== "main" && chosen.length) {
        return ["“" + typeName() + "”类作品不需要上传作品文件：" + rule.rule + "请清除这里选择的文件。"];
      }
      if (rule && rule.needs === "main") {
        var problems = wrongExtension("main_file", rule.extensions, "“" + typeName() + "”");
        if (!problems.length && action === "submit" && !chosen.length && !has.main_file) {
          problems.push("请选择作品文件再提交：" + rule.rule);
        }
        return problems;
      }
      return [];
    },
    cover: function (action) {
      var problems = wrongExtension("cover", rules.cover_extensions || [], "封面图");
      if (!problems.length && action === "submit" && !files("cover").length && !has.cover) {
        problems.push("请选择一张封面图再提交：" + rules.cover);
      }
      return problems;
    },
    extra_file: function () { return wrongExtension("extra_file", rules.extra_extensions || [], "配套材料"); },
    gallery: function (action) {
      var chosen = files("gallery");
      var rule = types[typeCode()];
      if (chosen.length && rule && rule.needs !== "gallery") {
        return ["只有“图片图集”类作品可以上传图集图片；请把资源类型改为“图片图集”，或清除这里选择的图片。"];
      }
      if (chosen.length > (rules.gallery_max || 50)) {
        return ["图集最多 " + rules.gallery_max + " 张图片，现在选了 " + chosen.length + " 张，请分开挑选最好的。"];
      }
      var problems = wrongExtension("gallery", rules.gallery_extensions || [], "图集图片");
      if (!problems.length && action === "submit" && rule && rule.needs === "gallery" && !chosen.length && !has.gallery) {
        problems.push("请选择图集图片再提交（一次可以选多张）。");
      }
      return problems;
    },
    external_url: function (action) {
      var input = el("external_url");
      if (input.value && !/^https?:\/\/[^\s/]+\.[^\s]+/i.test(input.value.trim())) {
        return ["请填写完整的网址，例如 https://www.example.com/zhanguan/。"];
      }
      var rule = types[typeCode()];
      if (action === "submit" && rule && rule.needs === "link" && !input.value.trim()) {
        return ["请填写虚拟展馆的网址再提交（以 https:// 开头）。"];
      }
      return [];
    }
  };

  // The extra checks another script adds for a field (upload.js: the file sizes).
  var extra = {};

  function problemsOf(name, action) {
    var list = checks[name] ? checks[name](action) : [];
    return list.concat(extra[name] ? extra[name]() : []);
  }

  // Every problem at once, beside its field; returns [[label, message], ...] for the summary.
  function checkAll(action) {
    var all = [];
    Object.keys(checks).forEach(function (name) {
      var list = problemsOf(name, action);
      show(name, list);
      var box = fieldBox(name);
      var label = box ? (box.querySelector("label") || {}).textContent || "" : "";
      list.forEach(function (text) { all.push([label.replace("*", "").trim(), text, name]); });
    });
    return all;
  }

  // As the teacher goes: a field is judged when left or changed (a draft's rules; submitting adds the required files).
  Object.keys(checks).forEach(function (name) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      var judge = function () { show(name, problemsOf(name, "draft")); };
      input.addEventListener("change", judge);
      if (input.tagName === "TEXTAREA" || input.type === "text" || input.type === "url") {
        input.addEventListener("blur", judge);
      }
    });
  });

  // 专题 follows 主题; 年级 follows 学段.
  function narrowTopics() {
    var theme = value("theme");
    var select = el("topic");
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var keep = !theme || option.getAttribute("data-theme") === theme;
      option.hidden = !keep;
      option.disabled = !keep;
      if (!keep && option.selected) { select.value = ""; }
    });
  }
  function narrowGrades() {
    var stage = value("stage");
    form.querySelectorAll("input[name='grades']").forEach(function (input) {
      var keep = !stage || input.getAttribute("data-stage") === stage;
      var row = input.closest("div") || input.parentNode;
      row.hidden = !keep;
      if (!keep) { input.checked = false; }
    });
  }
  // The file rules of the chosen type beside the file field.
  var mainHelp = document.getElementById("id_main_file_help");
  var generalHelp = mainHelp ? mainHelp.textContent : "";
  function showRules() {
    var rule = types[typeCode()];
    if (mainHelp) { mainHelp.textContent = rule ? typeName() + "：" + rule.rule : generalHelp; }
    var input = el("main_file");
    if (input && rule && rule.extensions.length) {
      input.setAttribute("accept", rule.extensions.map(function (e) { return "." + e; }).join(","));
    }
    var galleryBox = fieldBox("gallery");
    var linkBox = fieldBox("external_url");
    var mainBox = fieldBox("main_file");
    // Only the inputs this type uses are offered (a chosen file elsewhere stays visible to be cleared).
    if (galleryBox) { galleryBox.hidden = !!rule && rule.needs !== "gallery" && !files("gallery").length; }
    if (linkBox) { linkBox.hidden = !!rule && rule.needs !== "link" && !value("external_url"); }
    if (mainBox) { mainBox.hidden = !!rule && rule.needs !== "main" && !files("main_file").length; }
  }
  el("theme").addEventListener("change", narrowTopics);
  el("stage").addEventListener("change", narrowGrades);
  el("resource_type").addEventListener("change", function () {
    showRules();
    if (files("main_file").length) { show("main_file", problemsOf("main_file", "draft")); }
  });
  narrowTopics();
  narrowGrades();
  showRules();

  // File inputs in Chinese: the browser draws its own button in its own language ("Choose File"), so
  // the input is kept (focusable, labelled) but drawn as a Chinese button with the chosen names beside it.
  form.querySelectorAll("input[type=file]").forEach(function (input) {
    var wrap = document.createElement("span");
    wrap.className = "file-pick";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    input.classList.add("visually-hidden-input");
    var button = document.createElement("label");
    button.className = "file-button";
    button.htmlFor = input.id;
    button.textContent = input.multiple ? "选择图片（可多选）" : "选择文件";
    var names = document.createElement("span");
    names.className = "file-names";
    names.setAttribute("aria-live", "polite");
    names.textContent = "未选择文件";
    wrap.appendChild(button);
    wrap.appendChild(names);
    input.addEventListener("change", function () {
      var list = files(input.name);
      names.textContent = !list.length ? "未选择文件" : list.length === 1 ? list[0].name : "已选择 " + list.length + " 个文件";
    });
  });

  window.zmdFormCheck = {
    checkAll: checkAll,
    show: show,
    addCheck: function (name, fn) { extra[name] = fn; },
    firstBox: function (name) { return fieldBox(name); }
  };
})();
