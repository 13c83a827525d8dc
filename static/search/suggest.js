/* Autocomplete for every search box (form[role=search] input[name=q]): titles and topics,
   Chinese or pinyin, from /api/search/suggest/. No inline script; works without it too. */
(function () {
  "use strict";
  var ENDPOINT = "/api/search/suggest/";
  var counter = 0;

  function attach(input) {
    var form = input.form;
    if (!form || input.dataset.suggest === "on") return;
    input.dataset.suggest = "on";
    input.setAttribute("autocomplete", "off");
    var host = input.parentElement;
    host.classList.add("suggest-host");
    var list = document.createElement("ul");
    var id = "suggest-list-" + (++counter);
    list.id = id;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    host.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");

    var timer = null, active = -1, items = [], lastQuery = null, composing = false, controller = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var nodes = list.children;
      for (var i = 0; i < nodes.length; i++) nodes[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index >= 0 && nodes[index]) input.setAttribute("aria-activedescendant", nodes[index].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function go(item) {
      if (item.url) window.location.href = item.url;
      else { input.value = item.text; form.submit(); }
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions;
      if (!suggestions.length) { close(); return; }
      suggestions.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.text;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); go(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (!q) { close(); return; }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(ENDPOINT + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === q) render(data.suggestions || []); })
        .catch(function () { /* offline or aborted: no suggestions, the form still works */ });
    }

    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    function schedule() {
      if (composing) return;
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    }
    input.addEventListener("input", schedule);
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); go(items[active]); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); lastQuery = null; });
  }

  function init() {
    var inputs = document.querySelectorAll('form[role="search"] input[name="q"]');
    for (var i = 0; i < inputs.length; i++) attach(inputs[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
