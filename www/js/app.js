// Shows that scripts load and run: marks the status box and keeps a live clock in it.
(function () {
  'use strict';
  var box = document.getElementById('clock');
  if (!box) { return; }
  function tick() {
    box.textContent = 'JavaScript ran: local time is ' + new Date().toLocaleTimeString();
  }
  box.classList.add('ran');
  tick();
  window.setInterval(tick, 1000);
}());
