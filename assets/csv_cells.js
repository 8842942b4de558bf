// Spreadsheet-safe cells for the grids' CSV downloads: text that a spreadsheet would run as a
// formula gets a leading apostrophe (the OWASP convention). The same rule as the server's
// exports (dashboard/export/cells.py, FORMULA_START); a test checks the two agree.
(function () {
  var fns = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  fns.csvSafeCell = function (params) {
    var value = params.value;
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(value)) {
      return "'" + value;
    }
    return value;
  };
})();
