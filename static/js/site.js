// Site-wide behaviour, no inline script (CSP). Each piece also works without JavaScript:
// - the phone menu button is a link to #site-menu, which CSS shows as the link target;
// - the filter button is a link to the filter panel (#filters), shown the same way;
// here they become buttons that open and close in place, with aria-expanded kept in step.
(function () {
  "use strict";

  function toggler(button) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.setAttribute("role", "button");
    function set(open) {
      target.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      document.documentElement.classList.toggle("drawer-open", open && target.classList.contains("drawer"));
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      set(!target.classList.contains("open"));
      if (target.classList.contains("open")) {
        var first = target.querySelector("a, button, select, input");
        if (first && target.classList.contains("drawer")) first.focus();
      }
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); button.click(); }
    });
    target.querySelectorAll("[data-close]").forEach(function (closer) {
      closer.addEventListener("click", function (event) {
        event.preventDefault();
        set(false);
        button.focus();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && target.classList.contains("open")) { set(false); button.focus(); }
    });
    // Opened through the link target (#site-menu) before this script ran: keep it open.
    if (window.location.hash === "#" + target.id) set(true);
  }

  // "返回上一页" on error pages: back in history when there is one, else the link's own href.
  function backLink(link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1 && document.referrer) {
        event.preventDefault();
        window.history.back();
      }
    });
  }

  function init() {
    document.querySelectorAll("a[aria-controls][aria-expanded]").forEach(toggler);
    document.querySelectorAll("a[data-back]").forEach(backLink);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
