/* NTM Atlas: panels around the map, share link, page language (clientside callbacks of
   dashboard/panels.py) and the sort buttons of the gap view's tables. No network, no state
   outside the page. */
(function () {
  "use strict";
  var PHONE = "(max-width: 800px)";
  var TEXT = {
    vi: { copied: "Đã chép liên kết vào bộ nhớ tạm: ", failed: "Không chép được; hãy chép địa chỉ trên thanh địa chỉ: " },
    en: { copied: "Link copied to the clipboard: ", failed: "Could not copy; copy the address bar instead: " }
  };

  function hasClass(cls, name) { return (" " + (cls || "") + " ").indexOf(" " + name + " ") >= 0; }
  function withClass(cls, name, on) {
    var parts = (cls || "").split(/\s+/).filter(function (c) { return c && c !== name; });
    if (on) { parts.push(name); }
    return parts.join(" ");
  }
  function triggered() {
    var t = window.dash_clientside.callback_context.triggered || [];
    return t.map(function (x) { return x.prop_id.split(".")[0]; });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    ntm: {
      toggleFilters: function (open, close, cls) {
        var ids = triggered();
        var closed;
        if (ids.indexOf("filters-toggle") >= 0 && open) {
          closed = !hasClass(cls, "filters-closed");
        } else if (ids.indexOf("filters-close") >= 0 && close) {
          closed = true;
        } else if (!hasClass(cls, "ready")) {
          closed = window.matchMedia(PHONE).matches;  // first paint: a drawer on a phone
        } else {
          closed = hasClass(cls, "filters-closed");
        }
        var out = withClass(withClass(cls || "body", "ready", true), "filters-closed", closed);
        return [out, closed ? "false" : "true"];
      },
      toggleLegend: function (n, selected, cls) {
        var ids = triggered();
        var closed = hasClass(cls, "legend-closed");
        var phone = window.matchMedia(PHONE).matches;
        if (ids.indexOf("legend-toggle") >= 0 && n) {
          closed = !closed;
        } else if (!hasClass(cls, "ready")) {
          closed = phone || !!selected;  // a link with a selection opens on its details
        } else if (ids.indexOf("selected") >= 0 && !phone) {
          closed = !!selected;  // the details take the right side; the legend folds away
        }
        var out = withClass(withClass(cls || "map-wrap", "ready", true), "legend-closed", closed);
        out = withClass(out, "has-detail", !!selected);
        return [out, closed ? "false" : "true"];
      },
      emptyReset: function (n, r) {
        return n ? (r || 0) + 1 : window.dash_clientside.no_update;
      },
      closeDetail: function (n) {
        return n ? [null, null] : [window.dash_clientside.no_update, window.dash_clientside.no_update];
      },
      share: function (n, lang) {
        var text = TEXT[lang] || TEXT.vi;
        var url = window.location.href;
        var ok = false;
        try {
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(url);
            ok = true;
          } else {
            var area = document.createElement("textarea");
            area.value = url;
            area.setAttribute("readonly", "");
            area.style.position = "fixed";
            area.style.opacity = "0";
            document.body.appendChild(area);
            area.select();
            ok = document.execCommand("copy");
            document.body.removeChild(area);
          }
        } catch (e) { ok = false; }
        window.ntmLastShared = url;
        return (ok ? text.copied : text.failed) + url;
      },
      pickGap: function () {
        /* A commune link of the gap table (dashboard/gap_view.py) fills the search box, which
           selects the commune; a re-drawn table (new links, no click) changes nothing, and
           never costs a round trip to the server. */
        var t = (window.dash_clientside.callback_context.triggered || [])[0];
        var no = window.dash_clientside.no_update;
        if (!t || !t.value) { return no; }
        try {
          return JSON.parse(t.prop_id.slice(0, t.prop_id.lastIndexOf("."))).code || no;
        } catch (e) { return no; }
      },
      setLang: function (lang) {
        document.documentElement.lang = lang === "en" ? "en" : "vi";
        return lang === "en" ? "Skip to the map" : "Bỏ qua, đến bản đồ";
      }
    }
  });

  /* Sort buttons of the data tables (dashboard/gap_view.py): numbers as numbers, text by the
     Vietnamese collation; empty cells last. */
  var collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-sort]");
    if (!button) { return; }
    var th = button.closest("th");
    var table = button.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = button.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.querySelectorAll("th"), function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.cells[index].textContent.trim();
      var y = b.cells[index].textContent.trim();
      if (x === "–") { x = ""; }
      if (y === "–") { y = ""; }
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      if (numeric) { return sign * (parseFloat(x) - parseFloat(y)); }
      return sign * collator.compare(x, y);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
})();

/* Dash 4 draws radio buttons and check boxes as a "listbox" of "option" labels that hold the
   real inputs: screen readers then meet an interactive element inside another (axe-core:
   nested-interactive, aria-input-field-name). The inputs are already the accessible controls,
   so the list becomes a plain (radio) group named by the label of its field, and the labels
   plain labels. */
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll(".dash-options-list[role=listbox]").forEach(function (list) {
      list.setAttribute("role", list.classList.contains("dash-radioitems") ? "radiogroup" : "group");
      if (!list.hasAttribute("aria-label") && !list.hasAttribute("aria-labelledby")) {
        var owner = list.parentElement && list.parentElement.closest("[aria-labelledby],[aria-label]");
        if (owner && owner.getAttribute("aria-labelledby")) {
          list.setAttribute("aria-labelledby", owner.getAttribute("aria-labelledby"));
        } else if (owner) {
          list.setAttribute("aria-label", owner.getAttribute("aria-label"));
        }
      }
    });
    document.querySelectorAll(".dash-options-list-option[role=option], .dash-options-list-option[aria-selected]")
      .forEach(function (option) {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      });
  }
  function start() {
    fix();
    new MutationObserver(fix).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["role", "aria-selected"]
    });
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
