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
    // The generation this page was served at: if the page changed while the socket was
    // closed (or before it opened), the server says so on connecting.
    var query = "?generation=" + (window.__salesbook_generation || 0) + "&path=" + encodeURIComponent(here());
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__salesbook/ws" + query);
    ws.onopen = function () { delay = 250; window.__salesbook.connected = true; };
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      window.__salesbook.received += 1;
      if (m.errors) { show(m.errors); } else { hide(); }
      if (m.all || (m.changed && m.changed.indexOf(here()) >= 0)) { location.reload(); }
    };
    ws.onclose = function () {
      window.__salesbook.connected = false;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 4000);
    };
  }
  window.__salesbook = { here: here, connected: false, received: 0 };
  connect();
})();
