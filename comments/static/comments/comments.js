/*
 * Comments without reloads. Everything here also works without this script, through plain
 * links and form posts; the script only saves the reloads:
 * - "Reply" moves the form under the comment (and "Cancel reply" moves it back);
 * - posting, previewing and errors happen in place: the form is sent with fetch, and the
 *   parts of the page the server sends back (the thread, the form) replace the old ones;
 * - the outcome is announced (aria-live) and focus goes to the error summary, the preview,
 *   or the new comment;
 * - "Recommend" becomes a toggle button (aria-pressed) that counts in place, and shows which
 *   comments this browser recommends (asked once per page: the thread is everyone's);
 * - "Report" opens the report form under the comment, sends it and thanks in place (Escape
 *   or Cancel closes it, and focus goes back to the link).
 * Loaded from this site only (Content-Security-Policy: script-src 'self').
 *
 * Its words are in the page's language: Django's JavaScript catalog of the app's djangojs
 * domain (comments/jsi18n/<lang>/, emitted before this script by {% comment_scripts %})
 * defines gettext, ngettext and interpolate; without it (it failed to load), English.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) {
    return count === 1 ? singular : plural;
  };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  /* A translated sentence with nodes in it: `format`'s %(name)s placeholders replaced by
   * values[name] (a node, or a string that goes in as text), for element.append(...). */
  function sentence(format, values) {
    return format.split(/(%\(\w+\)s)/).filter(Boolean).map(function (part) {
      var name = /^%\((\w+)\)s$/.exec(part);
      return name && name[1] in values ? values[name[1]] : part;
    });
  }

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
    var who = document.createElement("a");
    who.href = "#" + comment.id;
    var shownName = document.createElement("bdi");
    shownName.textContent = name ? name.textContent : gettext("this comment");
    who.append(shownName);
    var cancel = document.createElement("a");
    cancel.id = "cancel-comment-reply-link";
    cancel.href = "#respond";
    cancel.rel = "nofollow";
    cancel.textContent = gettext("Cancel reply");
    note.replaceChildren.apply(note, sentence(gettext("Replying to %(name)s"), { name: who }));
    note.append(" · ", cancel);
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
    enhanceReactions();
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function send(formElement, submitter) {
    var data = new FormData(formElement);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value || "1");
    var buttons = formElement.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    announce(submitter && submitter.name === "preview"
      ? gettext("Preparing the preview…")
      : gettext("Posting your comment…"));
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
              ? gettext("Your comment was sent and is awaiting moderation.")
              : gettext("Your comment was posted."));
            focusOn(comment);
          });
      }
      return response.text().then(function (html) {
        var doc = parse(html);
        replaceFrom(doc);
        var summary = document.querySelector(".error-summary");
        var preview = document.getElementById("comment-preview");
        if (summary) {
          announce(interpolate(gettext("Your comment was not posted. %(errors)s"), {
            errors: summary.textContent.replace(/\s+/g, " ").trim(),
          }, true));
          focusOn(summary);
        } else if (preview) {
          announce(gettext("Preview ready. Your comment has not been posted yet."));
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

  // --- Recommend and Report in place ----------------------------------------------------
  // Both are links to pages that work without this script (comments.public.reactions); the
  // thread every reader shares holds no token, so the CSRF token comes from the cookie (or
  // the comment form), and what this browser recommends is asked for once per page.

  function csrfToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (found) return decodeURIComponent(found[1]);
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function commentId(element) {
    var item = element.closest("li.comment");
    return item ? item.id.replace("comment-", "") : "";
  }

  function recommendLinkOf(id) {
    var item = document.getElementById("comment-" + id);
    return item && item.querySelector(":scope > article .comment-recommend-link");
  }

  function showRecommendation(link, recommended, count) {
    link.setAttribute("aria-pressed", recommended ? "true" : "false");
    if (typeof count !== "number") return;
    var shown = link.querySelector(".comment-recommend-count");
    if (shown) shown.textContent = count ? " (" + count + ")" : "";
    var item = link.closest("li.comment");
    var name = item && item.querySelector(":scope > article .fn bdi");
    if (!name) return;
    link.setAttribute("aria-label", interpolate(ngettext(
      "Recommend this comment by %(name)s, %(count)s recommendation",
      "Recommend this comment by %(name)s, %(count)s recommendations",
      count
    ), { name: name.textContent, count: count }, true));
  }

  var ASK_AT_ONCE = 200; // comment ids per "which do I recommend?" (the server takes 500)

  function enhanceReactions() {
    if (!window.fetch || !window.DOMParser) return;
    var ids = [];
    var asked = "";
    document.querySelectorAll(".comment-recommend-link:not([role])").forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("aria-pressed", "false");
      ids.push(commentId(link));
      // /comments/<id>/recommend/ → /comments/recommended/, wherever the app is mounted.
      asked = asked || link.pathname.replace(/[0-9]+\/recommend\/$/, "recommended/");
    });
    document.querySelectorAll(".comment-report-link:not([role])").forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("aria-expanded", "false");
    });
    for (var start = 0; start < ids.length; start += ASK_AT_ONCE) {
      var chunk = ids.slice(start, start + ASK_AT_ONCE).filter(Boolean).join(",");
      fetch(asked + "?ids=" + chunk, { headers: FETCH_HEADER, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { recommended: [] }; })
        .then(function (data) {
          (data.recommended || []).forEach(function (id) {
            var link = recommendLinkOf(id);
            if (link) showRecommendation(link, true);
          });
        })
        .catch(function () { /* the links still work: nothing is marked */ });
    }
  }

  function recommend(link) {
    if (link.getAttribute("aria-busy") === "true") return;
    var token = csrfToken();
    if (!token) { // no form on the page and no cookie yet: the link's page has both
      window.location.href = link.href;
      return;
    }
    var withdraw = link.getAttribute("aria-pressed") === "true";
    var body = new URLSearchParams();
    body.append("action", withdraw ? "withdraw" : "recommend");
    link.setAttribute("aria-busy", "true");
    fetch(link.href, {
      method: "POST",
      body: body,
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": token },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        link.removeAttribute("aria-busy");
        if (!response.ok) {
          announce(data.error || gettext("Your recommendation was not counted."));
          return;
        }
        showRecommendation(link, data.recommended, data.count);
        announce(data.recommended
          ? gettext("You recommend this comment.")
          : gettext("Your recommendation was taken back."));
      });
    }).catch(function () {
      // No JSON (the page expired, the network failed): the page of the link does it.
      window.location.href = link.href;
    });
  }

  function reportBox(article) { return article && article.querySelector(".comment-report-box"); }

  function closeReport(box) {
    var article = box.closest("article");
    var link = article && article.querySelector(".comment-report-link");
    box.remove();
    if (link) {
      link.setAttribute("aria-expanded", "false");
      link.focus();
    }
  }

  function openReport(link) {
    var article = link.closest("article");
    var open = reportBox(article);
    if (open) {
      closeReport(open);
      return;
    }
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { headers: FETCH_HEADER, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var found = parse(html).querySelector("form.comment-report-form");
        if (!found) throw new Error("no form");
        var box = document.createElement("div");
        box.className = "comment-report-box border rounded p-3 mt-2";
        box.id = "report-box-" + commentId(link);
        box.append(document.importNode(found, true));
        article.append(box);
        link.removeAttribute("aria-busy");
        link.setAttribute("aria-expanded", "true");
        link.setAttribute("aria-controls", box.id);
        focusOn(box.querySelector('input[type="radio"]') || box);
      })
      .catch(function () { window.location.href = link.href; });
  }

  function sendReport(formElement) {
    var box = formElement.closest(".comment-report-box");
    var button = formElement.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    announce(gettext("Sending your report…"));
    fetch(formElement.action, {
      method: "POST",
      body: new FormData(formElement),
      headers: FETCH_HEADER,
      credentials: "same-origin",
      redirect: "follow",
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = parse(html);
        var done = doc.querySelector(".comment-report-done");
        var again = doc.querySelector("form.comment-report-form");
        if (done) {
          var thanks = document.createElement("p");
          thanks.className = "comment-report-done mb-2";
          thanks.textContent = done.textContent.trim();
          var close = document.createElement("button");
          close.type = "button";
          close.className = "btn btn-sm btn-outline-secondary comment-report-close";
          close.textContent = gettext("Close");
          box.replaceChildren(thanks, close);
          announce(thanks.textContent);
          focusOn(thanks);
        } else if (again) {
          var fresh = document.importNode(again, true);
          formElement.replaceWith(fresh);
          var errors = fresh.querySelector(".comment-report-errors");
          announce(interpolate(gettext("Your report was not sent. %(errors)s"), {
            errors: errors ? errors.textContent.replace(/\s+/g, " ").trim() : "",
          }, true).trim());
          focusOn(errors || fresh);
        } else {
          var gone = document.createElement("p");
          gone.className = "comment-report-done mb-2";
          gone.textContent = gettext("This comment can no longer be reported.");
          box.replaceChildren(gone);
          announce(gone.textContent);
          focusOn(gone);
        }
      });
    }).catch(function () {
      if (button) button.disabled = false;
      formElement.submit(); // the network failed: the ordinary way
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest('.comment-recommend-link[role="button"]');
    if (link) {
      event.preventDefault();
      recommend(link);
      return;
    }
    link = event.target.closest('.comment-report-link[role="button"]');
    if (link) {
      event.preventDefault();
      openReport(link);
      return;
    }
    var box = event.target.closest(".comment-report-box");
    if (box && event.target.closest(".comment-report-cancel, .comment-report-close")) {
      event.preventDefault();
      closeReport(box);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    if (event.key === " " && target.matches('a[role="button"].comment-recommend-link, a[role="button"].comment-report-link')) {
      event.preventDefault(); // a button's key: Space presses it (and doesn't scroll)
      target.click();
      return;
    }
    var box = target.closest(".comment-report-box");
    if (event.key === "Escape" && box) {
      event.preventDefault();
      closeReport(box);
    }
  });

  document.addEventListener("submit", function (event) {
    var formElement = event.target;
    if (!formElement.classList.contains("comment-report-form")) return;
    if (!formElement.closest(".comment-report-box") || !window.fetch) return;
    event.preventDefault();
    sendReport(formElement);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceReactions);
  } else {
    enhanceReactions();
  }
})();
