// Keyboard shortcuts and the small behaviours of the intake console. No framework: htmx does the rest.
(function () {
  "use strict";
  function keyName(event) {
    var parts = [];
    if (event.ctrlKey || event.metaKey) parts.push("ctrl");
    if (event.altKey) parts.push("alt");
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key.toLowerCase();
    if (event.altKey && event.code && event.code.indexOf("Key") === 0) key = event.code.slice(3).toLowerCase();
    parts.push(key);
    return parts.join("+");
  }
  document.addEventListener("keydown", function (event) {
    var name = keyName(event);
    var typing = /^(input|textarea|select)$/i.test(event.target.tagName);
    if (name === "ctrl+enter") {
      var form = event.target.closest ? event.target.closest("form[data-submit-key]") : null;
      form = form || document.querySelector("form[data-submit-key]");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (name === "/" && typing) return;
    var target = document.querySelector('[data-key="' + name + '"]');
    if (target) { event.preventDefault(); target.focus(); if (target.select) target.select(); }
  });
  // The title intake would write (m9) shows in the empty title field while the operator types.
  document.addEventListener("htmx:afterSwap", function () {
    var shown = document.getElementById("suggested-title");
    var title = document.getElementById("id_title");
    if (shown && title) title.placeholder = shown.getAttribute("data-title");
  });
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle");
    if (toggle) {
      // On a phone the top bar's links fold behind one button (M6).
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
      return;
    }
    var fill = event.target.closest("[data-fill-matter]");
    if (fill) {
      var select = document.getElementById("id_matter");
      if (select) { select.value = fill.getAttribute("data-fill-matter"); select.dispatchEvent(new Event("change")); }
      return;
    }
    var use = event.target.closest(".use-article");
    if (use) {
      var field = document.getElementById("id_article");
      var chosen = document.getElementById("chosen-article");
      var answer = document.getElementById("answer-button");
      if (!field) return;
      field.value = use.getAttribute("data-article");
      chosen.textContent = use.getAttribute("data-title");
      chosen.hidden = false;
      answer.hidden = false;
      answer.focus();
    }
  });
  // The township filter lists only the chosen district's townships (m3).
  function narrowTownships() {
    var district = document.getElementById("id_district");
    var township = document.getElementById("id_township");
    if (!district || !township) return;
    Array.prototype.forEach.call(township.options, function (option) {
      var tag = option.getAttribute("data-district");
      option.hidden = Boolean(district.value && tag !== null && tag !== district.value);
    });
    var chosen = township.options[township.selectedIndex];
    if (chosen && chosen.hidden) township.value = "";
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_district") narrowTownships();
  });
  document.addEventListener("DOMContentLoaded", narrowTownships);
  document.addEventListener("submit", function (event) {
    // "Register for dispatch" never carries a chosen article; only the answer button does.
    var form = event.target;
    if (form.id !== "register-form") return;
    var field = document.getElementById("id_article");
    if (field && event.submitter && event.submitter.id === "register-button") field.value = "";
  });
})();
