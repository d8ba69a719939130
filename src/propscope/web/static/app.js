// propscope workbench: the confidence slider and the technique toggles.
// Tooltips (hover and keyboard focus) are the HTML report's own script, served at
// /assets/report.js.  A hidden span's mark loses its "hl" class, so it is neither
// drawn, nor focusable, nor given a tooltip; the marks around it still are.
(function () {
  'use strict';
  var block = document.getElementById('propscope-data');
  if (!block) { return; }
  var spans = JSON.parse(block.textContent).documents[0] || [];
  var marks = Array.prototype.slice.call(document.querySelectorAll('#doc-text mark[data-n]'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-span]'));
  var slider = document.getElementById('min-score');
  var shown = document.getElementById('min-score-value');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.toggle'));

  function hidden(index) {
    var span = spans[index];
    if (!span) { return false; }
    var min = slider ? parseFloat(slider.value) : 0;
    var off = boxes.some(function (box) {
      return !box.checked && box.dataset.technique === span.technique;
    });
    return off || span.score < min;
  }

  function update() {
    if (slider && shown) { shown.textContent = parseFloat(slider.value).toFixed(2); }
    marks.forEach(function (el) {
      var off = hidden(+el.dataset.n - 1);
      el.classList.toggle('hl', !off);
      el.classList.toggle('hl-off', off);
      el.setAttribute('tabindex', off ? '-1' : '0');
    });
    rows.forEach(function (row) { row.classList.toggle('off', hidden(+row.dataset.span)); });
  }

  if (slider) { slider.addEventListener('input', update); }
  boxes.forEach(function (box) { box.addEventListener('change', update); });
  update();
}());
