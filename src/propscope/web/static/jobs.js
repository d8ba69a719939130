// propscope workbench: a job page follows its job by polling /api/v1/jobs/{id} until it
// ends (no inline script: the page's CSP allows only files from this server).
(function () {
  'use strict';
  var box = document.getElementById('job');
  if (!box || !window.fetch) { return; }
  var url = '/api/v1/jobs/' + encodeURIComponent(box.dataset.job);
  var state = document.getElementById('job-state');
  var bar = document.getElementById('job-bar');
  var shown = document.getElementById('job-progress');
  var error = document.getElementById('job-error');
  var report = document.getElementById('job-report');
  var errors = document.getElementById('job-errors');

  function draw(job) {
    var p = job.progress;
    state.textContent = job.state;
    shown.textContent = p.total === null ? String(p.done) : p.done + ' / ' + p.total;
    if (p.total === null) { bar.removeAttribute('value'); } else {
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
    }
    if (job.error) {
      error.textContent = job.error.code + ': ' + job.error.message;
      error.hidden = false;
    }
    if (job.report) {
      report.textContent = JSON.stringify(job.report.counts, null, 2);
      report.hidden = false;
      errors.textContent = '';
      (job.report.errors || []).slice(0, 50).forEach(function (e) {
        var item = document.createElement('li');  // text only: an item name is input
        item.textContent = e.code + ': ' + e.item + ': ' + e.message;
        errors.appendChild(item);
      });
    }
    return job.state === 'done' || job.state === 'failed';
  }

  function poll(wait) {
    fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (job && draw(job)) { return; }
        window.setTimeout(function () { poll(Math.min(wait * 1.5, 5000)); }, wait);
      })
      .catch(function () { window.setTimeout(function () { poll(5000); }, 5000); });
  }
  if (state.textContent !== 'done' && state.textContent !== 'failed') { poll(500); }
}());
