/*
 * This site's comments on another site's page: the thread and the "Leave a Reply" form,
 * read and posted through the JSON API (/api/v1/), in place of a plain link.
 *
 * The snippet the other site pastes (the link is what readers without JavaScript follow, to
 * this site's own page of the discussion):
 *
 *   <div data-comments-url="https://news.example/story">
 *     <a href="https://comments.example/comments/discussion/?url=https%3A%2F%2Fnews.example%2Fstory">Read and post comments</a>
 *   </div>
 *   <script src="https://comments.example/static/comments/embed.js" defer></script>
 *
 * data-comments-url is the page's address as its discussion is known; left empty, it is the
 * page's <link rel="canonical">, else its address without the #fragment. An optional
 * data-comments-title is the title the thread's heading shows while the discussion has
 * none of its own but its address (default: the page's <title>).
 *
 * What the embedding page must allow:
 * - this site must list the page's origin in COMMENTS_EMBED_ORIGINS; the API answers no
 *   other origin (no CORS headers), and then this script leaves the link as it is and logs
 *   one warning: it refuses to run elsewhere;
 * - under a Content-Security-Policy, this site's origin in script-src (this file),
 *   connect-src (the API) and style-src (the stylesheets, loaded into the shadow root):
 *     script-src 'self' https://comments.example; connect-src 'self' https://comments.example;
 *     style-src 'self' https://comments.example
 *   Nothing here needs 'unsafe-inline' or 'unsafe-eval': no inline script or style, no
 *   eval, no style attributes (the one style set here goes through the CSSOM, which
 *   style-src does not govern). Without style-src, the thread still works, unstyled.
 *
 * Shadow DOM rather than an iframe: the thread is part of the page, so it flows with the
 * page's height (no resizing protocol, no inner scroll bar), inherits the page's font and
 * colour (it reads like the article around it), is one document for assistive technology
 * and the keyboard, and needs no postMessage protocol; the shadow root keeps the page's
 * styles out of the thread and the thread's out of the page, and its ids (the form's field
 * ids, the error summary's links) apart from the page's and from other embeds' on the same
 * page. The root is open, so that the page's own tools (an accessibility checker, a test)
 * can see into it; nothing in it is secret.
 *
 * No cookies (another site's cookies may be blocked in the reader's browser): the poster key
 * the API hands out with a new comment, which shows the poster their own pending comment,
 * is kept in the embedding page's localStorage (its own, first-party storage), one per API
 * origin, and sent back in the X-Poster-Key header.
 *
 * Readers' names, addresses and messages go in as text (textContent, setAttribute); only a
 * comment's body goes in as HTML, because the server sends it sanitized (body_html).
 *
 * What readers may do besides posting, as on the HTML page: sort the thread (oldest, newest,
 * most recommended: ?sort=), recommend a comment (a toggle button; which ones this poster key
 * recommends is asked once, GET …/recommended), report one to the editors (a small form
 * under it), and tick the two email boxes (double opt-in: the server mails one message to
 * confirm). A recommendation or a report without a poster key yet gets one from the API,
 * kept as a post's is.
 *
 * In the reader's language: this site's words for the embed come as JSON
 * (/comments/jsi18n/<lang>/json/, fetched before the thread shows; this script defines no
 * global, so Django's script catalog is no use here). The language: the container's
 * data-comments-lang if given (the first container that has one speaks for the page), else
 * the page's <html lang>, else the browser's, each by its primary subtag ("fr-CA": "fr"),
 * the first this site ships (its 404 says which it does); English if none is, or if the
 * catalog can't be had. The container gets that lang, and dir="rtl" for a right-to-left
 * language (the thread inside mirrors: its stylesheets use logical properties).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src || !window.fetch || !window.Promise || !Element.prototype.attachShadow) {
    return; // the link stays
  }
  var SCRIPT_URL = new URL(script.src, document.baseURI);
  var API_ORIGIN = SCRIPT_URL.origin;
  var API = API_ORIGIN + "/api/v1";
  // The stylesheets lie beside this script (/static/comments/).
  var STYLESHEETS = ["comments.css", "embed.css"].map(function (name) {
    return new URL(name, SCRIPT_URL).href;
  });
  var KEY_STORAGE = "comments-poster-key " + API_ORIGIN;

  // --- The reader's language ---------------------------------------------------------------
  // English (the words as written here) until the catalog comes: words.catalog maps each
  // English text to its translation (a list of the plural forms for a text with a count).

  var words = { language: "en", bidi: false, catalog: {}, plural: null };

  /* Marks a text for translation where it is defined; translated where it is shown. */
  function gettext_noop(text) { return text; }

  function gettext(text) {
    var found = words.catalog[text];
    if (Array.isArray(found)) found = found[0];
    return typeof found === "string" && found ? found : text;
  }

  function ngettext(singular, plural, count) {
    var found = words.catalog[singular];
    if (Array.isArray(found)) found = found[pluralIndex(count)];
    else if (found !== undefined) found = null; // a catalog without this text's plurals
    if (typeof found === "string" && found) return found;
    return count === 1 ? singular : plural;
  }

  /* `format`'s %(name)s placeholders filled in from `values` (as text). */
  function interpolate(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  }

  /* A translated sentence with nodes in it, for el()'s children: `format` split around its
   * %(name)s placeholders, each replaced by values[name] (a node, or text). */
  function sentence(format, values) {
    return format.split(/(%\(\w+\)s)/).filter(Boolean).map(function (part) {
      var name = /^%\((\w+)\)s$/.exec(part);
      return name && name[1] in values ? values[name[1]] : part;
    });
  }

  function pluralIndex(count) {
    var value = words.plural ? words.plural(count) : count !== 1;
    if (typeof value === "boolean") return value ? 1 : 0;
    return Number(value) || 0;
  }

  /* The catalog's plural rule (the C expression of n of the .po file's Plural-Forms, such
   * as Arabic's six-way one) as a function, read by a small parser: no eval, which neither
   * this site's nor the embedding page's Content-Security-Policy would allow. null for
   * what it can't read (then: one, and the rest). */
  function pluralRule(source) {
    var tokens = String(source || "").match(/\d+|n|&&|\|\||[<>!=]=|\S/g);
    if (!tokens) return null;
    var at = 0;
    var LEVELS = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]];
    var OPERATIONS = {
      "||": function (a, b) { return a || b; },
      "&&": function (a, b) { return a && b; },
      "==": function (a, b) { return Number(a) === Number(b); },
      "!=": function (a, b) { return Number(a) !== Number(b); },
      "<": function (a, b) { return a < b; },
      "<=": function (a, b) { return a <= b; },
      ">": function (a, b) { return a > b; },
      ">=": function (a, b) { return a >= b; },
      "+": function (a, b) { return a + b; },
      "-": function (a, b) { return a - b; },
      "*": function (a, b) { return a * b; },
      "/": function (a, b) { return b ? Math.trunc(a / b) : 0; },
      "%": function (a, b) { return b ? a % b : 0; },
    };
    function take(token) {
      if (tokens[at] !== token) throw new Error("plural rule: " + token + " expected");
      at += 1;
    }
    function ternary() {
      var test = binary(0);
      if (tokens[at] !== "?") return test;
      at += 1;
      var yes = ternary();
      take(":");
      var no = ternary();
      return function (n) { return test(n) ? yes(n) : no(n); };
    }
    function binary(level) {
      if (level === LEVELS.length) return unary();
      var left = binary(level + 1);
      while (LEVELS[level].indexOf(tokens[at]) >= 0) {
        left = operation(OPERATIONS[tokens[at++]], left, binary(level + 1));
      }
      return left;
    }
    function operation(apply, left, right) {
      return function (n) { return apply(Number(left(n)), Number(right(n))); };
    }
    function unary() {
      var token = tokens[at++];
      if (token === "!") { var not = unary(); return function (n) { return !not(n); }; }
      if (token === "-") { var minus = unary(); return function (n) { return -minus(n); }; }
      if (token === "(") { var inner = ternary(); take(")"); return inner; }
      if (token === "n") return function (n) { return n; };
      if (/^\d+$/.test(token || "")) { var number = Number(token); return function () { return number; }; }
      throw new Error("plural rule: unexpected " + token);
    }
    try {
      var rule = ternary();
      if (at !== tokens.length) return null;
      rule(1);
      return rule;
    } catch (error) {
      return null;
    }
  }

  /* The primary subtags of the languages to try, best first, without repeats. */
  function wantedLanguages(hosts) {
    var chosen = [];
    var given = hosts.filter(function (host) { return host.hasAttribute("data-comments-lang"); })[0];
    [given && given.getAttribute("data-comments-lang"), document.documentElement.getAttribute("lang"),
      window.navigator.language].forEach(function (tag) {
      var primary = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
      if (/^[a-z]{2,3}$/.test(primary) && chosen.indexOf(primary) < 0) chosen.push(primary);
    });
    return chosen;
  }

  /* Where this site's catalogs are: beside its no-JavaScript discussion link in the snippet
   * (…/comments/discussion/?url=… gives …/comments/jsi18n/), else /comments/jsi18n/. */
  function catalogBase(hosts) {
    var base = "/comments/";
    hosts.some(function (host) {
      var link = host.querySelector("a[href]");
      var address = link && new URL(link.href, document.baseURI);
      if (address && address.origin === API_ORIGIN && /\/discussion\/$/.test(address.pathname)) {
        base = address.pathname.replace(/discussion\/$/, "");
        return true;
      }
      return false;
    });
    return API_ORIGIN + base + "jsi18n/";
  }

  /* Fetch the first wanted language's catalog that this site has; English when the first
   * wanted is English, when this site ships none of them, or when nothing answers. Always
   * resolves (to the language shown). */
  function loadWords(hosts) {
    var wanted = wantedLanguages(hosts);
    var base = catalogBase(hosts);
    function english() { return words; }
    function ask(language, shipped) {
      if (!language || language === "en") return Promise.resolve(words);
      var url = base + encodeURIComponent(language) + "/json/";
      return fetch(url, { mode: "cors", credentials: "omit" }).then(function (response) {
        return response.json().then(function (data) {
          if (response.ok && data && data.catalog) {
            words = {
              language: String(data.language || language),
              bidi: !!data.bidi,
              catalog: data.catalog,
              plural: pluralRule(data.plural),
            };
            return words;
          }
          // Not a language of this site: its answer lists those it has; the next wanted
          // one of them, asked once.
          if (response.status === 404 && !shipped && data && Array.isArray(data.languages)) {
            var next = wanted.filter(function (code) {
              return code !== language && data.languages.indexOf(code) >= 0;
            })[0];
            return ask(next, true);
          }
          return words;
        });
      }).catch(english);
    }
    return ask(wanted[0], false);
  }

  var FIELDS = [
    { name: "name", label: gettext_noop("Name"), type: "text", autocomplete: "name", maxlength: 245, required: true },
    { name: "email", label: gettext_noop("Email"), type: "email", autocomplete: "email", maxlength: 100, required: true, note: "email-notes" },
    { name: "url", label: gettext_noop("Website"), type: "url", autocomplete: "url", maxlength: 200, required: false },
    { name: "comment", label: gettext_noop("Comment"), type: "textarea", maxlength: 65525, required: true },
  ];
  var FIELD_LABELS = {};
  FIELDS.forEach(function (field) { FIELD_LABELS[field.name] = field.label; });
  // The form's email boxes, unticked; GET …/form words them for the discussion (boxes).
  var BOXES = [
    { name: "notify_replies", label: gettext_noop("Email me when someone replies to me") },
    { name: "notify_all", label: gettext_noop("Email me when anyone comments on this page") },
  ];
  var BOXES_NOTE = gettext_noop("Email boxes: we first send one message to confirm your address, and nothing else until you follow its link. Every email has a link that stops them at once.");
  // A report's reasons and the most its words may be; GET …/form says (report_reasons).
  var REASONS = [
    { value: "spam", label: gettext_noop("Spam") },
    { value: "abuse", label: gettext_noop("Abusive or hateful") },
    { value: "off_topic", label: gettext_noop("Off topic") },
    { value: "other", label: gettext_noop("Something else") },
  ];
  var REPORT_TEXT_MAX = 200;
  // The orders readers may choose (the API's ?sort=, the HTML page's ?csort=), and the
  // words of the links to the previous and the next comment page in each.
  var ORDERS = [
    { value: "oldest", label: gettext_noop("Oldest"), pages: [gettext_noop("Older comments"), gettext_noop("Newer comments")] },
    { value: "newest", label: gettext_noop("Newest"), pages: [gettext_noop("Newer comments"), gettext_noop("Older comments")] },
    { value: "best", label: gettext_noop("Most recommended"), pages: [gettext_noop("Previous comments"), gettext_noop("Next comments")] },
  ];
  var NO_ANSWER = gettext_noop("The comments server did not answer. Please try again.");
  // English dates as the HTML page shows them; other languages' by the browser (Intl).
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var warned = false;
  var styleWarned = false;

  // --- Small helpers -----------------------------------------------------------------------

  /* An element with attributes (always set as text: setAttribute) and children (nodes, or
   * strings that go in as text nodes). */
  function el(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === false || value === null || value === undefined) return;
      element.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined && child !== false) element.append(child);
    });
    return element;
  }

  function storedKey() {
    try { return window.localStorage.getItem(KEY_STORAGE) || ""; } catch (error) { return ""; }
  }

  function storeKey(key) {
    if (!key) return;
    try { window.localStorage.setItem(KEY_STORAGE, key); } catch (error) { /* storage off */ }
  }

  function headers(json) {
    // The API's own words (its error messages, the email boxes, a report's reasons) in the
    // embed's language rather than the browser's (a header CORS lets through unasked).
    var sent = { Accept: "application/json", "Accept-Language": words.language };
    if (json) sent["Content-Type"] = "application/json";
    var key = storedKey();
    if (key) sent["X-Poster-Key"] = key;
    return sent;
  }

  /* A request to the API: never with cookies (credentials: "omit"). Resolves to
   * {status, data} for any answer; rejects only when no answer could be read (the network,
   * or a refusal to share it: no CORS headers for this origin). */
  function call(method, path, body) {
    var options = { method: method, mode: "cors", credentials: "omit", headers: headers(!!body) };
    // A poster's view of a thread is theirs alone (private, no-cache): ask again each time
    // (a 304 when nothing changed), so an editor's decision shows at once.
    if (method === "GET" && storedKey()) options.cache = "no-cache";
    if (body) options.body = JSON.stringify(body);
    return fetch(API + path, options).then(function (response) {
      var key = response.headers.get("X-Poster-Key");
      if (key) storeKey(key);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data || {} };
      });
    });
  }

  /* The one warning of a page where the embed does not run (however many embeds it has):
   * the API's answer could not be read (no CORS headers: this page's origin is not
   * listed; or the network), or it refused the page's address. */
  function warnOnce(message) {
    if (warned) return;
    warned = true;
    console.warn("Comments: " + message + " The comments stay a link.");
  }

  function pageAddress(host) {
    var given = (host.getAttribute("data-comments-url") || "").trim();
    if (given) return new URL(given, document.baseURI).href;
    var canonical = document.querySelector('link[rel="canonical"][href]');
    if (canonical) return canonical.href;
    return window.location.href.split("#")[0];
  }

  function shownDate(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) return "";
    if (words.language !== "en" && window.Intl && Intl.DateTimeFormat) {
      try {
        return new Intl.DateTimeFormat(words.language, { dateStyle: "long", timeStyle: "short" }).format(when);
      } catch (error) { /* a language the browser can't date: as in English */ }
    }
    var minutes = String(when.getMinutes()).padStart(2, "0");
    var hours = String(when.getHours()).padStart(2, "0");
    return when.getDate() + " " + MONTHS[when.getMonth()] + " " + when.getFullYear() +
      " at " + hours + ":" + minutes;
  }

  function isWebAddress(value) {
    return /^https?:\/\//i.test(value || "");
  }

  /* The Recommend button's accessible name, as the HTML page's link has it. */
  function recommendLabel(author, count) {
    return interpolate(ngettext(
      "Recommend this comment by %(name)s, %(count)s recommendation",
      "Recommend this comment by %(name)s, %(count)s recommendations",
      count
    ), { name: author, count: count });
  }

  // --- One embedded discussion -------------------------------------------------------------

  function Embed(host) {
    this.host = host;
    this.url = pageAddress(host);
    this.title = (host.getAttribute("data-comments-title") || document.title || "").trim();
    this.page = 1;
    this.discussion = null;
    this.token = "";
    this.tokenAt = 0;
    this.minSeconds = 0;
    this.parent = null;
    this.order = ""; // the server's default until its first answer says which that is
    this.recommended = {}; // comment id: true, for those this poster key recommends
    this.own = {}; // the comments posted from here (not to be recommended by their poster)
    this.boxes = BOXES;
    this.reasons = REASONS;
    this.reportMax = REPORT_TEXT_MAX;
  }

  Embed.prototype.read = function (page, order) {
    var sort = order || this.order;
    return call("GET", "/discussions?url=" + encodeURIComponent(this.url) + "&page=" + page +
      (sort ? "&sort=" + encodeURIComponent(sort) : ""));
  };

  Embed.prototype.start = function (ready) {
    var self = this;
    return Promise.all([this.read(1), ready]).then(function (both) {
      var answer = both[0];
      if (answer.status !== 200) {
        warnOnce(API_ORIGIN + " refused this page's thread (HTTP " + answer.status +
          (answer.data.message ? ": " + answer.data.message : "") + ").");
        return;
      }
      // The form's token, while the shadow root's stylesheets load: then everything shows
      // at once (no Reply button before there is a form to move).
      var form = call("GET", "/discussions/" + answer.data.id + "/form").catch(function () {
        return null;
      });
      // Which comments this poster key recommends (none without a key: nothing to ask).
      var recommended = storedKey()
        ? call("GET", "/discussions/" + answer.data.id + "/recommended").catch(function () {
          return null;
        })
        : null;
      return Promise.all([self.build(), form, recommended]).then(function (ready) {
        self.discussion = answer.data;
        self.useRecommended(ready[2]);
        self.setUpForm(ready[1]);
        self.showThread(answer.data);
        self.box.hidden = false;
        self.revealComment();
      });
    }, function (error) {
      warnOnce(API_ORIGIN + " does not answer this page (" + window.location.origin + "): is " +
        "this origin listed in that site's COMMENTS_EMBED_ORIGINS? (" +
        (error && error.message ? error.message : error) + ")");
    }).catch(function (error) {
      console.error("Comments: the thread could not be shown.", error);
    });
  };

  /* The shadow root, its stylesheets (waited for, so the thread never shows unstyled), the
   * thread's section, the form's section and the live region. The link goes: the thread
   * replaces it. */
  Embed.prototype.build = function () {
    var self = this;
    var root = this.host.attachShadow({ mode: "open" });
    this.root = root;
    var loads = STYLESHEETS.map(function (href) {
      var link = el("link", { rel: "stylesheet", href: href });
      root.append(link);
      return new Promise(function (resolve) {
        link.addEventListener("load", resolve);
        link.addEventListener("error", function () {
          // Shown unstyled, but shown (the page's style-src is the likely cause).
          if (!styleWarned) {
            styleWarned = true;
            console.warn("Comments: the stylesheets of " + API_ORIGIN + " could not be " +
              "loaded; does this page's Content-Security-Policy allow it in style-src?");
          }
          resolve();
        });
        window.setTimeout(resolve, 3000);
      });
    });
    // The thread's language and direction: the container's (the page's own text around it
    // may be in another), inherited into the shadow root.
    this.host.setAttribute("lang", words.language);
    this.host.setAttribute("dir", words.bidi ? "rtl" : "ltr");
    this.box = el("div", { class: "comments-embed", hidden: true });
    this.thread = el("section", { id: "comments", class: "comments-area", "aria-labelledby": "comments-title" });
    this.respond = el("section", { id: "respond", class: "comment-respond", "aria-labelledby": "reply-title" });
    this.home = el("div", { class: "respond-home" }, [this.respond]);
    this.live = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.box.append(this.thread, this.home, this.live);
    root.append(this.box);
    this.host.replaceChildren();
    root.addEventListener("click", function (event) { self.clicked(event); });
    window.addEventListener("hashchange", function () { self.revealComment(); });
    return Promise.all(loads);
  };

  Embed.prototype.announce = function (message) {
    var live = this.live;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  };

  Embed.prototype.focusOn = function (element) {
    if (!element) return;
    var focusable = element.matches("input, textarea, select, button, a[href]");
    if (!focusable && !element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
    element.scrollIntoView({ block: "start" });
  };

  /* The page's #comment-123, when that comment is on the page shown. */
  Embed.prototype.revealComment = function () {
    var match = /^#(comment-\d+)$/.exec(window.location.hash);
    var comment = match && this.root && this.root.getElementById(match[1]);
    if (comment) comment.scrollIntoView({ block: "start" });
  };

  // --- The thread --------------------------------------------------------------------------

  Embed.prototype.showThread = function (discussion) {
    this.discussion = discussion;
    this.page = discussion.page;
    if (discussion.order) this.order = discussion.order;
    // The form may be under a comment that is about to go: put it home first, and back
    // under its comment afterwards if that comment is still shown.
    if (this.thread.contains(this.respond)) this.home.append(this.respond);
    var children = [];
    var count = discussion.approved_count;
    // A page's discussion begun by its first read is titled by its address: the page's
    // own title reads better.
    var title = isWebAddress(discussion.title) && this.title ? this.title : discussion.title;
    if (discussion.comments.length) {
      children.push(el("h2", { id: "comments-title", class: "comments-title" }, [
        interpolate(ngettext(
          "%(count)s comment on \u201c%(title)s\u201d",
          "%(count)s comments on \u201c%(title)s\u201d",
          count
        ), { count: count, title: title }),
      ]));
      // As on the HTML page: an order to choose once there is more than one thread.
      if (discussion.num_pages > 1 || discussion.comments.length > 1) {
        children.push(this.sorter(this.order));
      }
      var list = el("ol", { class: "comment-list" });
      this.appendComments(list, discussion.comments, null);
      children.push(list);
      if (discussion.num_pages > 1) children.push(this.pager(discussion));
    } else {
      children.push(el("h2", { id: "comments-title", class: "comments-title" }, [gettext("Comments")]));
      children.push(el("p", { class: "comments-none" }, [gettext("No comments yet.")]));
    }
    this.thread.replaceChildren.apply(this.thread, children);
    if (this.parent !== null) {
      var comment = this.root.getElementById("comment-" + this.parent);
      if (comment) this.placeFormUnder(comment);
      else this.cancelReply(false);
    }
  };

  Embed.prototype.appendComments = function (list, comments, parent) {
    var self = this;
    comments.forEach(function (comment) {
      var item = self.comment(comment, parent);
      list.append(item);
      if (comment.replies && comment.replies.length) {
        var children = el("ol", { class: "children" });
        self.appendComments(children, comment.replies, comment);
        item.append(children);
      }
    });
  };

  /* One comment's <li> and its <article>, as the HTML page's thread marks it up. */
  Embed.prototype.comment = function (comment, parent) {
    var classes = "comment depth-" + comment.depth;
    if (comment.status === "pending") classes += " comment-pending";
    else if (comment.status === "removed") classes += " comment-removed";
    else if (comment.featured) classes += " comment-featured";
    var item = el("li", { id: "comment-" + comment.id, class: classes });
    var article = el("article", { class: "comment-body" });
    item.append(article);
    if (comment.status === "removed") {
      article.append(el("p", { class: "comment-removed-note" }, [gettext("This comment was removed.")]));
      return item;
    }
    var name = el("bdi", {}, [comment.author]);
    var shownName = isWebAddress(comment.author_url)
      ? el("a", { href: comment.author_url, rel: "external nofollow ugc", class: "url" }, [name])
      : name;
    // Translators: before a comment; %(name)s is its author's name (in bold).
    var meta = el("footer", { class: "comment-meta" }, sentence(gettext("%(name)s says:"), {
      name: el("b", { class: "fn" }, [shownName,
        comment.staff ? el("span", { class: "comment-staff-badge" }, [gettext("Staff")]) : null]),
    }).concat([" "]));
    if (parent) {
      meta.append(el("span", { class: "visually-hidden" }, [
        (parent.status === "removed"
          ? gettext("(in reply to a removed comment)")
          : interpolate(gettext("(in reply to %(name)s)"), { name: parent.author })) + " ",
      ]));
    }
    var permalink = this.url.split("#")[0] + "#comment-" + comment.id;
    meta.append(el("a", { href: permalink, class: "comment-permalink" }, [
      el("time", { datetime: comment.submitted_at }, [shownDate(comment.submitted_at)]),
    ]));
    if (comment.edited_at) meta.append(" ", el("span", { class: "comment-edited" }, [gettext("(edited)")]));
    article.append(meta);
    if (comment.status === "approved" && comment.featured) {
      article.append(el("p", { class: "comment-pick-label" }, [gettext("Editors\u2019 pick")]));
    }
    if (comment.status === "pending") {
      article.append(el("p", { class: "comment-awaiting-moderation" },
        [gettext("Your comment is awaiting moderation.")]));
    }
    var content = el("div", { class: "comment-content" });
    content.innerHTML = comment.body_html; // sanitized by the server: the one HTML value
    article.append(content);
    if (comment.status === "approved") {
      // Reply (while the discussion takes comments), Recommend and Report, as the HTML
      // page's thread has them; none of the last two on a comment posted from here.
      var actions = el("p", { class: "reply" });
      if (this.isOpen()) {
        actions.append(el("button", {
          type: "button",
          class: "comment-reply-link",
          "data-reply-to": comment.id,
          "aria-label": interpolate(gettext("Reply to %(name)s"), { name: comment.author }),
        }, [gettext("Reply")]));
      }
      if (!this.own[comment.id]) {
        var count = comment.recommendations || 0;
        actions.append(el("button", {
          type: "button",
          class: "link-button comment-recommend",
          "data-recommend": comment.id,
          "data-author": comment.author,
          "aria-pressed": this.recommended[comment.id] ? "true" : "false",
          "aria-label": recommendLabel(comment.author, count),
        }, [gettext("Recommend"), el("span", { class: "comment-recommend-count" }, [count ? " (" + count + ")" : ""])]));
        actions.append(el("button", {
          type: "button",
          class: "link-button comment-report",
          "data-report": comment.id,
          "data-author": comment.author,
          "aria-expanded": "false",
          "aria-label": interpolate(gettext("Report this comment by %(name)s to the editors"), {
            name: comment.author,
          }),
        }, [gettext("Report")]));
      }
      if (actions.childNodes.length) article.append(actions);
    }
    return item;
  };

  /* "Sort by": a button per order, the one shown pressed (aria-pressed), as the HTML
   * page's "Sort comments" links are. */
  Embed.prototype.sorter = function (order) {
    var items = ORDERS.map(function (choice) {
      return el("li", {}, [
        el("button", {
          type: "button",
          class: "link-button comment-sort-choice",
          "data-sort": choice.value,
          "aria-pressed": choice.value === order ? "true" : "false",
        }, [gettext(choice.label)]),
      ]);
    });
    return el("nav", { class: "comment-sort", "aria-label": gettext("Sort comments") }, [
      el("span", { class: "comment-sort-label" }, [gettext("Sort by:")]),
      " ",
      el("ul", {}, items),
    ]);
  };

  /* The first page in `order`, the pressed button keeping the focus. */
  Embed.prototype.sortBy = function (order) {
    var self = this;
    if (order === this.order) return Promise.resolve();
    this.thread.setAttribute("aria-busy", "true");
    return this.read(1, order).then(function (answer) {
      self.thread.removeAttribute("aria-busy");
      if (answer.status !== 200) {
        self.announce(gettext("The comments could not be sorted. Please try again."));
        return;
      }
      self.showThread(answer.data);
      var chosen = ORDERS.filter(function (choice) { return choice.value === self.order; })[0];
      // Translators: announced to screen readers; %(order)s is one of "Oldest", "Newest", "Most recommended".
      self.announce(interpolate(gettext("Comments sorted: %(order)s first."), {
        order: chosen ? gettext(chosen.label) : self.order,
      }));
      var button = self.thread.querySelector('[data-sort="' + self.order + '"]');
      if (button) button.focus();
      else self.focusOn(self.root.getElementById("comments-title"));
    }, function () {
      self.thread.removeAttribute("aria-busy");
      self.announce(gettext("The comments could not be sorted. Please try again."));
    });
  };

  /* Paging: a button per page, the current one marked (aria-current), as the HTML page's
   * "Comment pages" links are. */
  Embed.prototype.pager = function (discussion) {
    var items = [];
    var order = this.order;
    var labels = (ORDERS.filter(function (choice) { return choice.value === order; })[0] ||
      ORDERS[0]).pages;
    function button(label, page) {
      return el("li", { class: "page-item" }, [
        el("button", { type: "button", class: "page-link", "data-page": page }, [label]),
      ]);
    }
    if (discussion.page > 1) items.push(button(gettext(labels[0]), discussion.page - 1));
    for (var number = 1; number <= discussion.num_pages; number += 1) {
      if (number === discussion.page) {
        items.push(el("li", { class: "page-item active" }, [
          el("span", { class: "page-link", "aria-current": "page" }, [String(number)]),
        ]));
      } else {
        items.push(button(String(number), number));
      }
    }
    if (discussion.page < discussion.num_pages) {
      items.push(button(gettext(labels[1]), discussion.page + 1));
    }
    return el("nav", { "aria-label": gettext("Comment pages") }, [el("ul", { class: "pagination" }, items)]);
  };

  Embed.prototype.goToPage = function (page) {
    var self = this;
    this.thread.setAttribute("aria-busy", "true");
    return this.read(page).then(function (answer) {
      self.thread.removeAttribute("aria-busy");
      if (answer.status !== 200) {
        self.announce(gettext("The comments could not be loaded. Please try again."));
        return;
      }
      self.showThread(answer.data);
      // Translators: announced to screen readers; %(count)s is the number of comment pages.
      self.announce(interpolate(ngettext(
        "Comment page %(page)s of %(count)s.",
        "Comment page %(page)s of %(count)s.",
        answer.data.num_pages
      ), { page: answer.data.page, count: answer.data.num_pages }));
      self.focusOn(self.root.getElementById("comments-title"));
    }, function () {
      self.thread.removeAttribute("aria-busy");
      self.announce(gettext("The comments could not be loaded. Please try again."));
    });
  };

  Embed.prototype.isOpen = function () {
    return !!(this.discussion && this.discussion.is_open && this.formOpen !== false);
  };

  // --- Clicks: Reply, Cancel reply, pages, sorting, reactions, the error summaries' links ---

  Embed.prototype.clicked = function (event) {
    var target = event.target.closest("button, a");
    if (!target) return;
    if (target.hasAttribute("data-recommend")) {
      this.toggleRecommendation(target);
    } else if (target.hasAttribute("data-report")) {
      this.toggleReport(target);
    } else if (target.classList.contains("report-cancel") || target.classList.contains("report-close")) {
      this.closeReport(target.closest(".comment-report-box"));
    } else if (target.hasAttribute("data-sort")) {
      this.sortBy(target.getAttribute("data-sort"));
    } else if (target.hasAttribute("data-focus-id")) {
      // A report's error summary link: to its field in this shadow root.
      event.preventDefault();
      this.focusOn(this.root.getElementById(target.getAttribute("data-focus-id")));
    } else if (target.hasAttribute("data-reply-to")) {
      var comment = target.closest("li.comment");
      this.parent = Number(target.getAttribute("data-reply-to"));
      this.placeFormUnder(comment);
      this.focusOn(this.field("comment"));
    } else if (target.classList.contains("cancel-reply")) {
      this.cancelReply(true);
    } else if (target.hasAttribute("data-page")) {
      this.goToPage(Number(target.getAttribute("data-page")));
    } else if (target.hasAttribute("data-field")) {
      // An error summary's link: its #id names a field in this shadow root, which the
      // page's own fragment navigation can't reach; go to it here.
      event.preventDefault();
      this.focusOn(this.field(target.getAttribute("data-field")));
    } else if (target.hasAttribute("data-comment-link")) {
      event.preventDefault();
      var replied = this.root.getElementById(target.getAttribute("data-comment-link"));
      if (replied) this.focusOn(replied);
    }
  };

  Embed.prototype.placeFormUnder = function (comment) {
    if (!this.formElement) return;
    var name = comment.querySelector(".fn bdi");
    var note = this.replyingNote;
    note.replaceChildren.apply(note, sentence(gettext("Replying to %(name)s"), {
      name: el("a", { href: "#" + comment.id, "data-comment-link": comment.id }, [
        el("bdi", {}, [name ? name.textContent : gettext("this comment")]),
      ]),
    }));
    note.append(
      " \u00b7 ",
      el("button", { type: "button", class: "cancel-reply link-button" }, [gettext("Cancel reply")])
    );
    note.hidden = false;
    comment.querySelector(".comment-body").after(this.respond);
  };

  Embed.prototype.cancelReply = function (focus) {
    this.parent = null;
    if (this.replyingNote) {
      this.replyingNote.hidden = true;
      this.replyingNote.replaceChildren();
    }
    this.home.append(this.respond);
    if (focus) this.focusOn(this.field("comment"));
  };

  // --- Recommend -----------------------------------------------------------------------------

  /* GET …/recommended's answer (null: not asked, or no answer): those shown pressed. */
  Embed.prototype.useRecommended = function (answer) {
    var self = this;
    if (!answer || answer.status !== 200) return;
    (answer.data.recommended || []).forEach(function (id) { self.recommended[id] = true; });
  };

  /* Recommend the comment, or take the recommendation back when the button is pressed: the
   * count and the pressed state as the API answers them. */
  Embed.prototype.toggleRecommendation = function (button) {
    var self = this;
    if (button.getAttribute("aria-busy") === "true") return null;
    var id = Number(button.getAttribute("data-recommend"));
    var withdraw = button.getAttribute("aria-pressed") === "true";
    button.setAttribute("aria-busy", "true");
    this.reactionNote(button, "");
    return call(withdraw ? "DELETE" : "POST", "/comments/" + id + "/recommendation").then(function (answer) {
      button.removeAttribute("aria-busy");
      if (answer.status !== 200) {
        self.reactionNote(button, answer.status === 404
          ? gettext("This comment can no longer be recommended.")
          : answer.data.message || gettext("Your recommendation was not counted. Please try again."));
        return;
      }
      storeKey(answer.data.poster_key);
      var recommended = !!answer.data.recommended;
      var count = Number(answer.data.count) || 0;
      self.recommended[id] = recommended;
      button.setAttribute("aria-pressed", recommended ? "true" : "false");
      button.setAttribute("aria-label", recommendLabel(button.getAttribute("data-author"), count));
      button.querySelector(".comment-recommend-count").textContent = count ? " (" + count + ")" : "";
      self.announce(recommended
        ? gettext("You recommend this comment.")
        : gettext("Your recommendation was taken back."));
    }, function () {
      button.removeAttribute("aria-busy");
      self.reactionNote(button, gettext(NO_ANSWER));
    });
  };

  /* Why a recommendation was refused, shown beside the comment's buttons and announced
   * ("" takes it away). */
  Embed.prototype.reactionNote = function (button, message) {
    var actions = button.closest(".reply");
    var note = actions.querySelector(".comment-reaction-note");
    if (!message) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el("span", { class: "comment-reaction-note" });
      actions.append(" ", note);
    }
    note.textContent = message;
    this.announce(message);
  };

  // --- Report ---------------------------------------------------------------------------------

  /* Open the report form under the comment (its first reason focused), or close it. */
  Embed.prototype.toggleReport = function (button) {
    var article = button.closest("article");
    var open = article.querySelector(".comment-report-box");
    if (open) {
      this.closeReport(open);
      return;
    }
    var box = this.reportBox(button.getAttribute("data-report"), button.getAttribute("data-author"));
    article.append(box);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", box.id);
    this.focusOn(box.querySelector('input[type="radio"]'));
  };

  Embed.prototype.closeReport = function (box) {
    if (!box) return;
    var button = box.closest("article").querySelector("[data-report]");
    box.remove();
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.removeAttribute("aria-controls");
      button.focus();
    }
  };

  /* The report form, as the HTML page's: a reason (radios in a fieldset), a few words
   * (needed for "Something else"), Send and Cancel; Escape cancels too. Its ids are this
   * comment's own (several may be open at once). */
  Embed.prototype.reportBox = function (id, author) {
    var self = this;
    var prefix = "report-" + id;
    var textId = prefix + "-text";
    var reasons = el("fieldset", { id: prefix + "-reason", class: "report-reasons" }, [
      el("legend", {}, [gettext("Why should the editors look at this comment?")]),
    ]);
    this.reasons.forEach(function (reason, index) {
      var radioId = prefix + "-reason_" + index;
      reasons.append(el("div", { class: "form-check" }, [
        el("input", { type: "radio", name: "reason", value: reason.value, id: radioId }),
        el("label", { for: radioId }, [gettext(reason.label)]),
      ]));
    });
    var form = el("form", {
      class: "comment-report-form", novalidate: true, "aria-labelledby": prefix + "-title",
    }, [
      el("h3", { id: prefix + "-title", class: "report-title" }, sentence(
        gettext("Report this comment by %(name)s"), { name: el("bdi", {}, [author || ""]) }
      )),
      el("div", { class: "report-errors-slot" }),
      reasons,
      el("div", { class: "field" }, [
        el("label", { for: textId }, [gettext("In a few words")]),
        el("input", {
          type: "text", id: textId, name: "text", maxlength: this.reportMax, autocomplete: "off",
          "aria-describedby": textId + "-hint",
        }),
        el("div", { id: textId + "-hint", class: "form-text" }, [
          interpolate(ngettext(
            "Needed for \u201cSomething else\u201d; at most %(count)s character.",
            "Needed for \u201cSomething else\u201d; at most %(count)s characters.",
            this.reportMax
          ), { count: this.reportMax }),
        ]),
      ]),
      el("p", { class: "report-note" }, [
        gettext("The editors see your reason and your words, not who you are. Readers don\u2019t see reports."),
      ]),
      el("p", { class: "form-submit" }, [
        el("button", { type: "submit", class: "btn btn-primary" }, [gettext("Send the report")]),
        " ",
        el("button", { type: "button", class: "btn btn-secondary report-cancel" }, [gettext("Cancel")]),
      ]),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendReport(form, id);
    });
    var box = el("div", { id: "report-box-" + id, class: "comment-report-box" }, [form]);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.closeReport(box);
      }
    });
    return box;
  };

  Embed.prototype.sendReport = function (form, id) {
    var self = this;
    var send = form.querySelector('button[type="submit"]');
    if (send.disabled) return null;
    var chosen = form.querySelector('input[name="reason"]:checked');
    var body = {
      reason: chosen ? chosen.value : null,
      text: form.querySelector('input[name="text"]').value,
    };
    send.disabled = true;
    form.setAttribute("aria-busy", "true");
    this.announce(gettext("Sending your report\u2026"));
    function done() {
      send.disabled = false;
      form.removeAttribute("aria-busy");
    }
    return call("POST", "/comments/" + id + "/reports", body).then(function (answer) {
      done();
      if (answer.status === 202) {
        storeKey(answer.data.poster_key);
        return self.reportDone(form, answer.data.message || gettext("Thank you. The editors will look at it."));
      }
      if (answer.status === 404) {
        return self.reportDone(form, gettext("This comment can no longer be reported."));
      }
      self.showReportErrors(form, id, answer.data);
    }, function () {
      done();
      self.showReportErrors(form, id, { message: gettext(NO_ANSWER) });
    });
  };

  /* The report's end: its words in place of the form, focused and announced, and Close. */
  Embed.prototype.reportDone = function (form, message) {
    var box = form.closest(".comment-report-box");
    var thanks = el("p", { class: "comment-report-done", tabindex: "-1" }, [message]);
    box.replaceChildren(thanks, el("button", {
      type: "button", class: "btn btn-secondary report-close",
    }, [gettext("Close")]));
    this.announce(message);
    this.focusOn(thanks);
  };

  /* The API's refusal as the HTML report page shows one: a summary (focused, announced)
   * whose links lead to the fields, each field described by its message, the words typed
   * and the reason chosen kept. */
  Embed.prototype.showReportErrors = function (form, id, data) {
    var prefix = "report-" + id;
    var errors = data.errors || {};
    var reasons = form.querySelector(".report-reasons");
    var text = form.querySelector('input[name="text"]');
    form.querySelectorAll(".report-error").forEach(function (old) { old.remove(); });
    reasons.removeAttribute("aria-describedby");
    text.removeAttribute("aria-invalid");
    text.classList.remove("is-invalid");
    text.setAttribute("aria-describedby", text.id + "-hint");
    var items = [];
    (errors.__all__ || []).forEach(function (message) { items.push(el("li", {}, [message])); });
    function link(targetId, message) {
      items.push(el("li", {}, [
        el("a", { href: "#" + targetId, "data-focus-id": targetId, class: "alert-link" }, [message]),
      ]));
    }
    if (errors.reason) {
      var reasonError = prefix + "-reason-error";
      reasons.setAttribute("aria-describedby", reasonError);
      reasons.querySelector("legend").after(el("p", { id: reasonError, class: "report-error" }, [
        errors.reason.join(" "),
      ]));
      errors.reason.forEach(function (message) { link(prefix + "-reason_0", message); });
    }
    if (errors.text) {
      var textError = text.id + "-error";
      text.setAttribute("aria-invalid", "true");
      text.classList.add("is-invalid");
      text.setAttribute("aria-describedby", textError + " " + text.id + "-hint");
      text.after(el("div", { id: textError, class: "invalid-feedback report-error" }, [
        el("strong", {}, [errors.text.join(" ")]),
      ]));
      errors.text.forEach(function (message) { link(text.id, message); });
    }
    if (!items.length) items.push(el("li", {}, [data.message || gettext("Your report was not sent. Please try again.")]));
    var summary = el("div", {
      class: "error-summary", role: "group", tabindex: "-1", "aria-labelledby": prefix + "-errors-title",
    }, [
      el("p", { id: prefix + "-errors-title", class: "error-summary-title" }, [gettext("Your report was not sent")]),
      el("ul", {}, items),
    ]);
    form.querySelector(".report-errors-slot").replaceChildren(summary);
    this.announce(interpolate(gettext("Your report was not sent. %(errors)s"), {
      errors: summary.querySelector("ul").textContent.replace(/\s+/g, " ").trim(),
    }));
    this.focusOn(summary);
  };

  // --- The form ----------------------------------------------------------------------------

  /* The form, from GET …/form's answer (null: none came): its token and limits, or
   * "Comments are closed." */
  Embed.prototype.setUpForm = function (answer) {
    if (!answer || answer.status !== 200) {
      this.formOpen = false;
      this.respond.replaceChildren(el("p", {}, [gettext("The comment form could not be loaded.")]));
      this.respond.removeAttribute("aria-labelledby");
      return;
    }
    var data = answer.data;
    this.formOpen = data.accepts_comments !== false;
    this.useToken(data);
    if (Array.isArray(data.boxes) && data.boxes.length) this.boxes = data.boxes;
    if (Array.isArray(data.report_reasons) && data.report_reasons.length) {
      this.reasons = data.report_reasons;
    }
    if (Number(data.report_text_max_length) > 0) this.reportMax = Number(data.report_text_max_length);
    (data.fields || []).forEach(function (field) {
      FIELDS.forEach(function (known) {
        if (known.name === field.name && field.max_length) known.maxlength = field.max_length;
      });
    });
    if (!this.isOpen()) {
      this.respond.replaceChildren(el("p", { class: "comments-closed" }, [gettext("Comments are closed.")]));
      this.respond.removeAttribute("aria-labelledby");
      return;
    }
    this.buildForm();
  };

  Embed.prototype.useToken = function (data) {
    if (!data || !data.token) return;
    this.token = data.token;
    this.tokenAt = Date.now();
    var seconds = Number(data.min_seconds);
    this.minSeconds = isNaN(seconds) ? 0 : seconds;
  };

  Embed.prototype.field = function (name) {
    return this.root.getElementById("id_" + name);
  };

  Embed.prototype.buildForm = function () {
    var self = this;
    this.replyingNote = el("p", { class: "replying-to", hidden: true });
    this.summarySlot = el("div", { class: "summary-slot" });
    this.previewSlot = el("div", { class: "preview-slot" });
    var form = el("form", { id: "commentform", class: "comment-form", novalidate: true }, [
      this.summarySlot,
      this.previewSlot,
      el("p", { class: "comment-notes" }, [
        el("span", { id: "email-notes" }, [gettext("Your email address will not be published.")]),
        " ",
        // Translators: %(mark)s is the asterisk shown after each required field's label.
    ].concat(sentence(gettext("Required fields are marked %(mark)s"), {
        mark: el("span", { class: "required" }, ["*"]),
      }))),
    ]);
    FIELDS.forEach(function (field) {
      var id = "id_" + field.name;
      var label = el("label", { for: id }, [gettext(field.label),
        field.required ? el("span", { class: "required", "aria-hidden": "true" }, ["*"]) : null]);
      var input = field.type === "textarea"
        ? el("textarea", { id: id, name: field.name, rows: 8, cols: 45, maxlength: field.maxlength, required: true })
        : el("input", {
          id: id, name: field.name, type: field.type, autocomplete: field.autocomplete,
          maxlength: field.maxlength, required: field.required,
          "aria-describedby": field.note || null,
        });
      form.append(el("div", { class: "field", id: "div_" + id }, [label, input]));
    });
    // The email boxes, unticked, both described by the note on confirmation.
    this.boxes.forEach(function (box) {
      var id = "id_" + box.name;
      form.append(el("div", { class: "form-check", id: "div_" + id }, [
        el("input", { type: "checkbox", id: id, name: box.name, "aria-describedby": "notify-notes" }),
        el("label", { for: id }, [gettext(box.label)]),
      ]));
    });
    form.append(el("p", { id: "notify-notes", class: "notify-notes" }, [
      (this.boxes[0] && this.boxes[0].note) || gettext(BOXES_NOTE),
    ]));
    // The honeypot: out of sight, out of the Tab order, hidden from screen readers; bots
    // that fill every field give themselves away.
    var honeypot = el("div", { class: "comment-hp", "aria-hidden": "true" }, [
      el("label", { for: "id_hp" }, [gettext("Leave this field empty")]),
      el("input", { type: "text", name: "hp", id: "id_hp", value: "", tabindex: "-1", autocomplete: "off" }),
    ]);
    // Off-screen even if the stylesheets never load (comments.css's .comment-hp says the
    // same): set through the CSSOM, which no Content-Security-Policy forbids, unlike a
    // style attribute.
    honeypot.style.position = "absolute";
    honeypot.style.insetInlineStart = "-10000px"; // off the start side: no scroll in RTL
    honeypot.style.width = "1px";
    honeypot.style.height = "1px";
    honeypot.style.overflow = "hidden";
    form.append(honeypot);
    form.append(el("p", { class: "form-submit" }, [
      el("button", { type: "submit", name: "submit", class: "btn btn-primary" }, [gettext("Post Comment")]),
      " ",
      el("button", { type: "submit", name: "preview", value: "1", class: "btn btn-secondary" }, [gettext("Preview")]),
    ]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var preview = event.submitter && event.submitter.name === "preview";
      if (preview) self.preview(); else self.post();
    });
    this.formElement = form;
    this.respond.replaceChildren(
      el("h2", { id: "reply-title", class: "reply-title" }, [gettext("Leave a Reply")]),
      this.replyingNote,
      form
    );
  };

  Embed.prototype.values = function () {
    var form = this.formElement;
    return {
      name: form.elements.name.value,
      email: form.elements.email.value,
      url: form.elements.url.value,
      comment: form.elements.comment.value,
      parent: this.parent,
      token: this.token,
      hp: form.elements.hp.value,
      notify_replies: this.ticked("notify_replies"),
      notify_all: this.ticked("notify_all"),
    };
  };

  Embed.prototype.ticked = function (name) {
    var box = this.field(name);
    return !!(box && box.checked);
  };

  Embed.prototype.busy = function (on) {
    this.formElement.querySelectorAll("button").forEach(function (button) { button.disabled = on; });
    if (on) this.formElement.setAttribute("aria-busy", "true");
    else this.formElement.removeAttribute("aria-busy");
  };

  /* Wait until the form has been shown COMMENTS_MIN_SECONDS (the API's min_seconds): a
   * comment sent sooner is taken for a bot's. People rarely are that quick; a paste is. */
  Embed.prototype.afterMinSeconds = function () {
    var wait = this.minSeconds * 1000 - (Date.now() - this.tokenAt) + 100;
    if (!this.minSeconds || wait <= 0) return Promise.resolve();
    return new Promise(function (resolve) { window.setTimeout(resolve, wait); });
  };

  Embed.prototype.send = function (path, announcement) {
    var self = this;
    this.busy(true);
    this.announce(announcement);
    var ready = path === "/comments" ? this.afterMinSeconds() : Promise.resolve();
    return ready.then(function () {
      return call("POST", "/discussions/" + self.discussion.id + path, self.values());
    }).then(function (answer) {
      self.busy(false);
      return answer;
    }, function () {
      self.busy(false);
      return { status: 0, data: { message: gettext("The comments server did not answer. Nothing you typed is lost: please try again.") } };
    });
  };

  Embed.prototype.preview = function () {
    var self = this;
    return this.send("/preview", gettext("Preparing the preview\u2026")).then(function (answer) {
      if (answer.status !== 200) return self.showErrors(answer);
      self.clearErrors();
      var values = self.values();
      var region = el("div", {
        id: "comment-preview", class: "comment-preview", role: "region",
        "aria-labelledby": "comment-preview-title",
      }, [
        el("h3", { id: "comment-preview-title", class: "comment-preview-title" }, [gettext("Preview: not posted yet")]),
        el("p", { class: "comment-meta" }, sentence(gettext("%(name)s says:"), {
          name: el("b", { class: "fn" }, [el("bdi", {}, [values.name])]),
        })),
      ]);
      var content = el("div", { class: "comment-content" });
      content.innerHTML = answer.data.body_html || ""; // sanitized by the server
      region.append(content);
      self.previewSlot.replaceChildren(region);
      self.announce(gettext("Preview ready. Your comment has not been posted yet."));
      self.focusOn(region);
    });
  };

  Embed.prototype.post = function () {
    var self = this;
    return this.send("/comments", gettext("Posting your comment\u2026")).then(function (answer) {
      if (answer.status !== 201) return self.showErrors(answer);
      var comment = answer.data.comment;
      storeKey(answer.data.poster_key);
      self.own[comment.id] = true;
      self.clearErrors();
      self.previewSlot.replaceChildren();
      self.formElement.elements.comment.value = "";
      // Each comment's own choice: the boxes start unticked again.
      self.boxes.forEach(function (box) {
        var input = self.field(box.name);
        if (input) input.checked = false;
      });
      self.cancelReply(false);
      // A fresh token for the next comment (the form stays, with the name and email).
      call("GET", "/discussions/" + self.discussion.id + "/form").then(function (next) {
        self.useToken(next.data);
      }, function () { /* the next post will say so */ });
      return self.showPosted(comment);
    });
  };

  /* The thread again, on the page that holds the new comment (a reply is on the page of
   * its thread, the one shown; a new thread is on the last page), the comment focused. */
  Embed.prototype.showPosted = function (comment) {
    var self = this;
    function settle(answer) {
      if (answer.status !== 200) return null;
      self.showThread(answer.data);
      return self.root.getElementById("comment-" + comment.id);
    }
    return this.read(this.page).then(settle).then(function (found) {
      if (found || self.discussion.num_pages === self.page) return found;
      return self.read(self.discussion.num_pages).then(settle);
    }).then(function (found) {
      var pending = comment.status === "pending";
      self.announce(pending
        ? gettext("Your comment was sent and is awaiting moderation.")
        : gettext("Your comment was posted."));
      self.focusOn(found || self.root.getElementById("comments-title"));
    });
  };

  // --- Errors: as on the HTML page ----------------------------------------------------------

  Embed.prototype.clearErrors = function () {
    var self = this;
    this.summarySlot.replaceChildren();
    FIELDS.forEach(function (field) {
      var input = self.field(field.name);
      input.removeAttribute("aria-invalid");
      input.classList.remove("is-invalid");
      if (field.note) input.setAttribute("aria-describedby", field.note);
      else input.removeAttribute("aria-describedby");
      var message = self.root.getElementById("id_" + field.name + "_error");
      if (message) message.remove();
    });
  };

  /* The error summary at the top of the form (links to each field), focused and announced;
   * each field's message under it, tied to it by aria-describedby, the field aria-invalid.
   * What the reader typed stays. */
  Embed.prototype.showErrors = function (answer) {
    var self = this;
    var errors = answer.data.errors || {};
    if (errors.token) {
      // The form expired (a day is long): a fresh token, so that Post works again at once.
      call("GET", "/discussions/" + this.discussion.id + "/form").then(function (next) {
        self.useToken(next.data);
      }, function () {});
    }
    if (errors.parent) this.cancelReply(false); // the comment answered is gone: post anew
    this.clearErrors();
    var items = [];
    function item(fieldName, text) {
      items.push(el("li", {}, [
        el("a", { href: "#id_" + fieldName, "data-field": fieldName, class: "alert-link" }, [text]),
      ]));
    }
    (errors.__all__ || []).forEach(function (message) { item("comment", message); });
    FIELDS.forEach(function (field) {
      var messages = errors[field.name] || [];
      if (!messages.length) return;
      messages.forEach(function (message) {
        // Translators: in the error summary: a field's label, then its error message.
        item(field.name, interpolate(gettext("%(field)s: %(message)s"), {
          field: gettext(field.label), message: message,
        }));
      });
      var input = self.field(field.name);
      var messageId = "id_" + field.name + "_error";
      input.setAttribute("aria-invalid", "true");
      input.classList.add("is-invalid");
      input.setAttribute("aria-describedby", [messageId, field.note].filter(Boolean).join(" "));
      input.after(el("div", { id: messageId, class: "invalid-feedback" }, [
        el("strong", {}, [messages.join(" ")]),
      ]));
    });
    Object.keys(errors).forEach(function (name) {
      if (name === "__all__" || FIELD_LABELS[name]) return;
      errors[name].forEach(function (message) { item("comment", message); }); // hidden fields
    });
    if (!items.length) {
      item("comment", answer.data.message || gettext("Your comment could not be sent. Please try again."));
    }
    var summary = el("div", {
      id: "error-summary", class: "error-summary", role: "group", tabindex: "-1",
      "aria-labelledby": "error-summary-title",
    }, [
      el("h3", { id: "error-summary-title", class: "error-summary-title" }, [gettext("Your comment was not posted")]),
      el("ul", {}, items),
    ]);
    this.summarySlot.replaceChildren(summary);
    this.announce(interpolate(gettext("Your comment was not posted. %(errors)s"), {
      errors: summary.textContent.replace(/\s+/g, " ").trim(),
    }));
    this.focusOn(summary);
  };

  // --- Start -------------------------------------------------------------------------------

  function start() {
    var embeds = [];
    document.querySelectorAll("[data-comments-url]").forEach(function (host) {
      if (host.shadowRoot || host.hasAttribute("data-comments-embedded")) return;
      host.setAttribute("data-comments-embedded", ""); // claimed (the script may be twice)
      try {
        embeds.push(new Embed(host));
      } catch (error) { // data-comments-url is no address
        warnOnce("data-comments-url: " + (error && error.message ? error.message : error) + ".");
      }
    });
    if (!embeds.length) return;
    // The words, while each embed reads its thread: both are waited for.
    var ready = loadWords(embeds.map(function (embed) { return embed.host; }));
    embeds.forEach(function (embed) { embed.start(ready); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
