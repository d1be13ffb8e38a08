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
  // The title intake would write (m9) fills the title field while the operator types, until the
  // operator writes one: a title the operator changed is never overwritten.
  document.addEventListener("htmx:afterSwap", function () {
    var shown = document.getElementById("suggested-title");
    var title = document.getElementById("id_title");
    if (!shown || !title) return;
    var suggested = shown.getAttribute("data-title");
    if (title.value === "" || title.value === title.getAttribute("data-suggested")) {
      title.value = suggested;
      title.setAttribute("data-suggested", suggested);
    }
  });
  // Live counts (the top bar polls /live/): the page title carries the work waiting, and a count
  // that rose since the last look is marked until the person opens it.
  var baseTitle = document.title;
  var seen = {};
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "live") return;
    var total = 0;
    event.detail.target.querySelectorAll("[data-live]").forEach(function (link) {
      var key = link.getAttribute("data-live");
      var n = parseInt(link.getAttribute("data-n"), 10) || 0;
      total += n;
      if (seen[key] !== undefined && n > seen[key]) link.classList.add("live-new");
      seen[key] = n;
    });
    document.title = (total ? "(" + total + ") " : "") + baseTitle;
  });
  // Batch lists: the header's box ticks or clears every row of the page.
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-pick-all]")) return;
    var table = event.target.closest("table");
    table.querySelectorAll('input[name="pick"]').forEach(function (box) { box.checked = event.target.checked; });
  });

  // Pickers (web/pickers.py): a text field over /pick/<kind>/ becomes a combobox. Arrow keys move,
  // Enter or a click chooses, Escape closes. Without this script the field is typed and the server
  // validates what was typed.
  var pickerSeq = 0;
  function setupPicker(input) {
    if (input.getAttribute("data-picker-ready")) return;
    input.setAttribute("data-picker-ready", "1");
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.id = "picker-" + (++pickerSeq);
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    var active = -1, timer = null, asked = "";
    function options() { return list.querySelectorAll("[role=option]"); }
    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function mark(i) {
      var all = options();
      if (!all.length) return;
      active = (i + all.length) % all.length;
      all.forEach(function (o, n) { o.setAttribute("aria-selected", n === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }
    var many = input.getAttribute("data-picker-many");
    function current() {
      // A several-entry picker (co-units) searches and replaces only the entry being typed.
      if (!many) return input.value.trim();
      var parts = input.value.split(many);
      return parts[parts.length - 1].trim();
    }
    function choose(option) {
      if (many) {
        var parts = input.value.split(many);
        parts[parts.length - 1] = option.getAttribute("data-text");
        input.value = parts.join(many) + many;
      } else {
        input.value = option.getAttribute("data-text");
      }
      close();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }
    function ask() {
      var q = current();
      if (!q || q === asked) { if (!q) close(); return; }
      asked = q;
      fetch(input.getAttribute("data-picker") + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          if (current() !== q) return;
          list.innerHTML = "";
          data.results.forEach(function (row, n) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.id = list.id + "-" + n;
            li.setAttribute("data-text", row.text);
            li.textContent = row.label + " · " + row.code;
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
            list.appendChild(li);
          });
          list.hidden = !data.results.length;
          input.setAttribute("aria-expanded", data.results.length ? "true" : "false");
          active = -1;
        });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { if (e.key === "ArrowDown") { asked = ""; ask(); } return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(options()[active]); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
  }
  function setupPickers(root) { (root || document).querySelectorAll("input[data-picker]").forEach(setupPicker); }
  document.addEventListener("DOMContentLoaded", function () { setupPickers(document); });
  document.addEventListener("htmx:afterSwap", function (e) { setupPickers(e.target); });
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
      var field = document.getElementById("id_matter");
      if (field) {
        field.value = fill.getAttribute("data-fill-text") || fill.getAttribute("data-fill-matter");
        field.dispatchEvent(new Event("change"));
      }
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
    if (field && event.submitter && (event.submitter.id === "register-button" || event.submitter.name === "merge_into")) field.value = "";
  });
})();
