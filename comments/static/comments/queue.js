// The moderation queue without reloads (comments/desk/queue.py). Without this script each
// button is a plain form post; with it, buttons post in the background and the keyboard
// works: j/k move, a/s/r approve/spam/remove, u undoes the last decision (a "restore",
// recorded in the trail like any other). Served from this site, under script-src 'self'.
// Its words come from the app's JavaScript catalog in the admin's language (comments/jsi18n/
// <lang>/, loaded before it by queue.html); without it, English. The decisions' outcomes are
// the server's words (answer.message), already in that language.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var live = document.getElementById("queue-live");
  var keysHelp = document.querySelector(".queue-keys");
  var current = 0;
  var undoStack = [];
  var busy = false;
  if (keysHelp) keysHelp.hidden = false;

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function say(message) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function select(index, focus) {
    if (index < 0 || index >= items.length) return;
    items[current].classList.remove("queue-current");
    current = index;
    items[current].classList.add("queue-current");
    if (focus !== false) items[current].focus();
  }

  function nextUndecided(from) {
    for (var i = from + 1; i < items.length; i++) {
      if (!items[i].classList.contains("queue-decided")) return i;
    }
    return -1;
  }

  function post(url, item, body) {
    busy = true;
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).finally(function () { busy = false; });
  }

  function show(item, answer, decision) {
    var outcome = item.querySelector(".queue-outcome");
    outcome.textContent = answer.message;
    item.classList.remove("queue-decided", "queue-decided-approve", "queue-decided-spam",
      "queue-decided-remove");
    if (answer.status !== "pending") {
      item.classList.add("queue-decided", "queue-decided-" + decision);
    }
    say(answer.message);
  }

  function decide(item, form) {
    if (busy) return;
    var decision = form.action.replace(/\/$/, "").split("/").pop();
    post(form.action, item, new FormData(form)).then(function (answer) {
      show(item, answer, decision);
      if (answer.changed) undoStack.push({ item: item, url: answer.undo });
      var next = nextUndecided(items.indexOf(item));
      if (next >= 0) select(next);
    }).catch(function () {
      form.submit();  // let the server answer the plain way
    });
  }

  function undo() {
    if (busy || !undoStack.length) return;
    var last = undoStack.pop();
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    post(last.url, last.item, body).then(function (answer) {
      show(last.item, answer, "restore");
      select(items.indexOf(last.item));
    }).catch(function () { say(gettext("The undo failed; reload the page.")); });
  }

  items.forEach(function (item) {
    item.querySelectorAll("form.queue-decision").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        select(items.indexOf(item), false);
        decide(item, form);
      });
    });
    item.addEventListener("click", function () { select(items.indexOf(item), false); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var item = items[current];
    var form = null;
    switch (event.key) {
      case "j": select(Math.min(current + 1, items.length - 1)); break;
      case "k": select(Math.max(current - 1, 0)); break;
      case "u": undo(); break;
      case "a": case "s": case "r":
        form = item.querySelector("form.queue-decision[data-key=" + event.key + "]");
        if (form) decide(item, form);
        break;
      default: return;
    }
    event.preventDefault();
  });

  select(0, false);
})();
