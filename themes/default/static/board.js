// The pipeline board's owner filter: `?owner=<name>` (the search page's convention) shows
// that owner's cards only. Reads the address only, so it works from file:// too; without
// script the filter stays hidden and every card shows.
(function () {
  'use strict';
  var select = document.getElementById('board-owner');
  if (!select) return;
  select.form.hidden = false;
  function apply(owner) {
    var cards = document.querySelectorAll('.board-card');
    for (var i = 0; i < cards.length; i++) {
      cards[i].hidden = owner !== '' && cards[i].getAttribute('data-owner') !== owner;
    }
  }
  var owner = new URLSearchParams(location.search).get('owner') || '';
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === owner; });
  if (!known) owner = '';
  select.value = owner;
  apply(owner);
  select.addEventListener('change', function () {
    apply(select.value);
    var q = new URLSearchParams();
    if (select.value) q.set('owner', select.value);
    var s = q.toString();
    try {
      history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
    } catch (e) { /* some browsers refuse this on file:// pages: the filter still works */ }
  });
})();
