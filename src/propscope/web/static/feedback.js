// propscope workbench: feedback helpers, none of them needed (the forms work without
// script).  Selecting words in the document's text fills the "missed span" passage
// and counts which appearance of it was selected; the reader's name is remembered in
// this browser and copied to both forms.
(function () {
  'use strict';
  var text = document.getElementById('doc-text');
  var quote = document.getElementById('fb-quote');
  var occurrence = document.getElementById('fb-occurrence');
  var names = Array.prototype.slice.call(document.querySelectorAll('.fb-reader'));

  function offsetOf(node, offset) {
    var range = document.createRange();
    range.selectNodeContents(text);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  if (text && quote) {
    document.addEventListener('selectionchange', function () {
      var sel = window.getSelection();
      if (!sel || sel.isCollapsed || !sel.rangeCount) { return; }
      var range = sel.getRangeAt(0);
      if (!text.contains(range.commonAncestorContainer)) { return; }
      var words = sel.toString();
      if (!words.trim()) { return; }
      quote.value = words.trim();
      // The text node holds the document's text exactly (marks add no characters), so
      // the selection's offset says which appearance of the passage it is.
      var all = text.textContent;
      var lead = words.length - words.replace(/^\s+/, '').length;
      var at = offsetOf(range.startContainer, range.startOffset) + lead;
      var count = 1, from = all.indexOf(quote.value);
      while (from >= 0 && from < at) {
        count += 1;
        from = all.indexOf(quote.value, from + 1);
      }
      if (occurrence) { occurrence.value = String(from === at ? count : Math.max(1, count - 1)); }
    });
  }

  var stored = '';
  try { stored = window.localStorage.getItem('propscope-reader') || ''; } catch (e) { stored = ''; }
  names.forEach(function (input) {
    if (!input.value) { input.value = stored; }
    input.addEventListener('change', function () {
      names.forEach(function (other) { other.value = input.value; });
      try { window.localStorage.setItem('propscope-reader', input.value); } catch (e) { /* private mode */ }
    });
  });
}());
