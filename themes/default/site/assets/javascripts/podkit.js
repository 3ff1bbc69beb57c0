/* podkit: a table wider than the page scrolls sideways inside Material's wrapper. Keyboard users
   can scroll it only if the wrapper takes focus, so such wrappers become focusable, named regions
   (WCAG 2.1.1; axe-core rule scrollable-region-focusable). */
(function () {
  function update() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap, index) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        // Each region needs its own name (axe-core rule landmark-unique).
        wrap.setAttribute("aria-label", "Table " + (index + 1) + ", scrolls sideways");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  var pending;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(update, 100);
  }
  if (window.document$) {
    window.document$.subscribe(update); // Material's "page ready" (also after instant navigation)
  } else {
    window.addEventListener("load", update);
  }
  window.addEventListener("resize", later);
})();

/* podkit: the search dialog needs an accessible name (axe-core rule aria-dialog-name). Zensical's
   dialog has one; Material's (9.8) has none, so it takes the name Material already gives the
   search options in the page's language. Set here rather than by overriding Material's search
   partial, whose markup Zensical's search does not use. */
(function () {
  var dialog = document.querySelector(".md-search[role='dialog']:not([aria-label])");
  if (!dialog) return;
  var named = dialog.querySelector(".md-search__options[aria-label]");
  dialog.setAttribute("aria-label", named ? named.getAttribute("aria-label") : "Search");
})();
