// salesbook serve: live reload and the error overlay. Injected only by `salesbook serve`.
(function () {
  "use strict";
  var OVERLAY = "__salesbook_overlay";
  function here() {
    var p = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    if (p === "" || p.slice(-1) === "/") p += "index.html";
    return p;
  }
  function show(html) {
    hide();
    document.body.insertAdjacentHTML("beforeend", html);
  }
  function hide() {
    var el = document.getElementById(OVERLAY);
    if (el) el.parentNode.removeChild(el);
  }
  var delay = 250;
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__salesbook/ws");
    ws.onopen = function () { delay = 250; };
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.errors) { show(m.errors); } else { hide(); }
      if (m.all || (m.changed && m.changed.indexOf(here()) >= 0)) { location.reload(); }
    };
    ws.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 4000);
    };
  }
  window.__salesbook = { here: here };
  connect();
})();
