/*
 * Comments without reloads. Everything here also works without this script, through plain
 * links and form posts; the script only saves the reloads:
 * - "Reply" moves the form under the comment (and "Cancel reply" moves it back);
 * - posting, previewing and errors happen in place: the form is sent with fetch, and the
 *   parts of the page the server sends back (the thread, the form) replace the old ones;
 * - the outcome is announced (aria-live) and focus goes to the error summary, the preview,
 *   or the new comment.
 * Loaded from this site only (Content-Security-Policy: script-src 'self').
 */
(function () {
  "use strict";

  var FETCH_HEADER = { "X-Requested-With": "fetch" };

  function respond() { return document.querySelector(".comment-respond"); }
  function form() { return document.getElementById("commentform"); }

  function announce(message) {
    var live = document.getElementById("comments-live");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function focusOn(element) {
    if (!element) return;
    // Only what can't take focus gets tabindex="-1": on a field it would drop the field
    // from the Tab order.
    var focusable = element.matches("input, textarea, select, button, a[href]");
    if (!focusable && !element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
    element.scrollIntoView({ block: "start" });
  }

  // --- Replies ---------------------------------------------------------------------------

  var home = null; // where the form section lives when it is not under a comment

  function replyingNote(section) {
    var note = section.querySelector(".replying-to");
    if (!note) {
      note = document.createElement("p");
      note.className = "replying-to small";
      section.querySelector("#reply-title").after(note);
    }
    return note;
  }

  function moveFormUnder(comment, link) {
    var section = respond();
    var parentInput = form() && form().querySelector('input[name="parent"]');
    if (!section || !parentInput) return false;
    if (!home) {
      home = document.createElement("div");
      home.id = "respond-home";
      section.before(home);
    }
    var id = comment.id.replace("comment-", "");
    parentInput.value = id;
    var name = comment.querySelector(".fn bdi");
    var note = replyingNote(section);
    note.textContent = "Replying to ";
    var who = document.createElement("a");
    who.href = "#" + comment.id;
    who.textContent = name ? name.textContent : "this comment";
    var cancel = document.createElement("a");
    cancel.id = "cancel-comment-reply-link";
    cancel.href = "#respond";
    cancel.rel = "nofollow";
    cancel.textContent = "Cancel reply";
    note.append(who, " · ", cancel);
    comment.querySelector(".comment-body").after(section);
    focusOn(document.getElementById("id_comment") || section);
    return true;
  }

  function moveFormHome() {
    // The form may already be at home but still replying: after a preview or an error the
    // server's form (with its own "Cancel reply" link) replaced it there, and `home` is gone.
    var section = respond();
    if (!section || !form()) return false;
    var parentInput = form().querySelector('input[name="parent"]');
    if (parentInput) parentInput.value = "";
    var note = section.querySelector(".replying-to");
    if (note) note.remove();
    if (home) home.after(section);
    focusOn(document.getElementById("id_comment") || section);
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link) {
      var comment = link.closest("li.comment");
      if (comment && moveFormUnder(comment, link)) event.preventDefault();
      return;
    }
    if (event.target.closest("#cancel-comment-reply-link") && moveFormHome()) {
      event.preventDefault();
    }
  });

  // --- Posting in place ------------------------------------------------------------------

  function replaceFrom(doc) {
    var newThread = doc.getElementById("comments");
    var oldThread = document.getElementById("comments");
    var newRespond = doc.querySelector(".comment-respond");
    var oldRespond = respond();
    if (oldRespond && oldThread && oldThread.contains(oldRespond)) {
      // The form was under a comment: put it back in its place before the thread goes.
      (home || oldThread).after(oldRespond);
    }
    if (home) { home.remove(); home = null; }
    if (newThread && oldThread) oldThread.replaceWith(newThread);
    if (newRespond && oldRespond) oldRespond.replaceWith(newRespond);
    if (doc.title) document.title = doc.title;
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function send(formElement, submitter) {
    var data = new FormData(formElement);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value || "1");
    var buttons = formElement.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    announce(submitter && submitter.name === "preview" ? "Preparing the preview…" : "Posting your comment…");
    return fetch(formElement.action, {
      method: "POST",
      body: data,
      headers: FETCH_HEADER,
      credentials: "same-origin",
      redirect: "follow",
    }).then(function (response) {
      var location = response.headers.get("X-Comment-Location");
      if (response.status === 201 && location) {
        return fetch(location, { headers: FETCH_HEADER, credentials: "same-origin" })
          .then(function (page) { return page.text(); })
          .then(function (html) {
            replaceFrom(parse(html));
            var anchor = location.split("#")[1];
            var comment = anchor && document.getElementById(anchor);
            history.replaceState(null, "", location);
            announce(comment && comment.querySelector(".comment-awaiting-moderation")
              ? "Your comment was sent and is awaiting moderation."
              : "Your comment was posted.");
            focusOn(comment);
          });
      }
      return response.text().then(function (html) {
        var doc = parse(html);
        replaceFrom(doc);
        var summary = document.querySelector(".error-summary");
        var preview = document.getElementById("comment-preview");
        if (summary) {
          announce("Your comment was not posted. " + summary.textContent.replace(/\s+/g, " ").trim());
          focusOn(summary);
        } else if (preview) {
          announce("Preview ready. Your comment has not been posted yet.");
          focusOn(preview);
        }
      });
    }).catch(function () {
      // The network failed: send the form the ordinary way, which keeps everything typed.
      buttons.forEach(function (button) { button.disabled = false; });
      formElement.submit();
    });
  }

  document.addEventListener("submit", function (event) {
    var formElement = event.target;
    if (formElement.id !== "commentform" || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    send(formElement, event.submitter);
  });
})();
