// Plan Tracker's own script: the CSRF header for htmx, error messages in words, and moving cards by drag and
// drop or by the keyboard menu. Listeners are delegated from the document, so cards swapped in by htmx need
// no re-binding and are never bound twice. No inline script: the Content-Security-Policy forbids it.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // The phone header folds the navigation behind a menu button; the class says a script is there to open it.
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle");
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.closest("header").classList.toggle("menu-open", open);
  });

  // A button with data-confirm asks first (审核通过 cannot be undone by the unit); caught before htmx sees the
  // submit, so a "no" sends nothing by either path.
  // On a phone the board's filters wait behind 筛选: the button opens and closes them.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".filters-toggle");
    if (!toggle) { return; }
    var open = toggle.closest(".filter-box").classList.toggle("filters-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A unit picker's filter box hides the units whose name does not hold what is typed (checked ones stay).
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("unit-filter")) { return; }
    var typed = event.target.value.trim();
    event.target.closest(".unit-picker").querySelectorAll("label").forEach(function (label) {
      var checked = label.querySelector("input").checked;
      label.hidden = typed !== "" && !checked && label.textContent.indexOf(typed) === -1;
    });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A session that ended (idle timeout, logout elsewhere) answers 401 with HX-Redirect to the login page with
  // the page to come back to (htmx follows it itself); a redirect followed to the login page is the same news.
  // Either way the browser goes there as a whole page instead of swapping a login form into a column.
  function toLoginIfSignedOut(url) {
    if (url && new URL(url, location.href).pathname === "/login") {
      location.href = url;
      return true;
    }
    return false;
  }

  // ---- drafts ----------------------------------------------------------------------------------------
  // A form marked data-draft (a progress report, a return reason, a comment) keeps what is typed in
  // sessionStorage, keyed by the page's path and the form's name, so a session that expires while someone
  // writes loses nothing: after logging in they are sent back to the page and the words are put back. A
  // successful submit clears the draft. Files cannot be kept (the browser will not let a script set them).
  var DRAFTED = "textarea, input[type=text], input[type=number]";

  function draftKey(form) {
    return "draft:" + location.pathname + location.search + ":" + form.dataset.draft;
  }

  function keepDraft(form) {
    var values = {}, any = false;
    form.querySelectorAll(DRAFTED).forEach(function (field) {
      if (field.name && field.value) { values[field.name] = field.value; any = true; }
    });
    try {
      if (any) { sessionStorage.setItem(draftKey(form), JSON.stringify(values)); }
      else { sessionStorage.removeItem(draftKey(form)); }
    } catch (error) { /* storage full or disabled: the form still works, without a draft */ }
  }

  function restoreDrafts(root) {
    var forms = root.matches && root.matches("form[data-draft]") ? [root] : [];
    forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-draft]")));
    forms.forEach(function (form) {
      var saved = null;
      try { saved = JSON.parse(sessionStorage.getItem(draftKey(form)) || "null"); } catch (error) { saved = null; }
      if (!saved) { return; }
      var restored = false;
      form.querySelectorAll(DRAFTED).forEach(function (field) {
        if (field.name && !field.value && saved[field.name]) { field.value = saved[field.name]; restored = true; }
      });
      if (restored) {
        form.classList.add("draft-restored");
        var box = form.closest("details");
        if (box) { box.open = true; }
      }
    });
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-draft]");
    if (form) { keepDraft(form); }
  });

  // ---- mentions ----------------------------------------------------------------------------------------
  // A chip under a comment box writes "@name " at the caret; the server decides who is named and told.
  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("[data-mention]");
    if (!chip) { return; }
    var box = chip.closest("form").querySelector("textarea");
    var at = box.selectionStart != null ? box.selectionStart : box.value.length;
    var before = box.value.slice(0, at), insert = (before && !/\s$/.test(before) ? " " : "") + "@" + chip.dataset.mention + " ";
    box.value = before + insert + box.value.slice(at);
    box.focus();
    box.selectionStart = box.selectionEnd = at + insert.length;
    box.dispatchEvent(new Event("input", {bubbles: true}));
  });

  // By the status rather than htmx's `successful`, which an answer with HX-Redirect (a form that went
  // through and reloads its page) leaves unset.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-draft]");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && status >= 200 && status < 300) { sessionStorage.removeItem(draftKey(form)); }
  });

  // Logging out leaves no words behind for whoever uses the tab next.
  document.addEventListener("submit", function (event) {
    if (new URL(event.target.action, location.href).pathname !== "/logout") { return; }
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf("draft:") === 0) { sessionStorage.removeItem(key); }
    });
  });

  document.addEventListener("htmx:load", function (event) { restoreDrafts(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { restoreDrafts(document); });
  } else {
    restoreDrafts(document);
  }

  // A refusal inside the dialog is shown inside the dialog, where the person is looking.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (toLoginIfSignedOut(event.detail.xhr.responseURL)) { event.detail.shouldSwap = false; return; }
    var status = event.detail.xhr.status;
    var dialog = event.detail.requestConfig && event.detail.requestConfig.elt.closest("dialog");
    if (status >= 400 && dialog) {
      event.detail.target = dialog.querySelector(".dialog-flash") || event.detail.target;
    }
  });

  // A row decided in place (web/inplace.py) gives way to its words where it stood: its top is held where it was,
  // whatever the browser's own scroll anchoring picks (it once held a row further down still, and the page
  // jumped up by the height the decided row lost).
  var deciding = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.shouldSwap && event.detail.target;
    deciding = row && row.id && row.matches(".review-row")
      ? {id: row.id, top: row.getBoundingClientRect().top} : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var again = deciding && document.getElementById(deciding.id);
    if (again) {
      var moved = again.getBoundingClientRect().top - deciding.top;
      if (moved) { window.scrollBy(0, moved); }
    }
    deciding = null;
    if (event.detail.target.id === "dialog-body") {
      var dialog = document.getElementById("dialog");
      if (!dialog.open) { dialog.showModal(); }
      var first = dialog.querySelector("textarea, input:not([type=hidden]), select");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      document.getElementById("dialog").close();
    }
  });

  function flash(html) {
    var area = document.getElementById("flash");
    area.innerHTML = html;
    area.scrollIntoView({block: "nearest"});
  }

  // The server says what a move did (已签收, 已提交审核) in the HX-Trigger header's "tracker:flash" event: the
  // words are the server's, in the page's language; the script only shows them.
  function saidBy(response) {
    try {
      var events = JSON.parse(response.headers.get("HX-Trigger") || "{}");
      return events["tracker:flash"] || null;
    } catch (error) {
      return null;
    }
  }

  function say(said) {
    var area = document.getElementById("flash");
    area.innerHTML = "";
    if (!said || !said.message) { return; }
    var line = document.createElement("p");
    line.className = "flash " + (said.level || "info");
    line.setAttribute("role", "status");
    line.textContent = said.message;
    area.appendChild(line);
  }

  // ---- moving cards ----------------------------------------------------------------------------------
  // What a card may do is the server's: each movable card carries its offers (data-offers: the columns it may
  // go to, whether it may be reordered, which moves ask for words or evidence first), the same rules the
  // move itself is checked by. A move that asks for words (a closing report, a reason to return) or evidence
  // opens a form in the dialog instead of moving at once.
  function offersOf(card) {
    try { return JSON.parse(card.dataset.offers || "{}"); } catch (error) { return {}; }
  }

  function offeredMove(card, to) {
    return (offersOf(card).moves || []).filter(function (move) { return move.to === to; })[0] || null;
  }

  function mayDrop(card, fromStatus, toStatus) {
    return toStatus === fromStatus ? Boolean(offersOf(card).reorder) : Boolean(offeredMove(card, toStatus));
  }

  function cardsOf(column) {
    return Array.prototype.slice.call(column.querySelectorAll(":scope > .card"));
  }

  function neighbours(card) {
    var prev = card.previousElementSibling, next = card.nextElementSibling;
    while (prev && !prev.classList.contains("card")) { prev = prev.previousElementSibling; }
    while (next && !next.classList.contains("card")) { next = next.nextElementSibling; }
    return {prev: prev, next: next};
  }

  function bump(counter, delta) {
    if (counter) { counter.textContent = String(parseInt(counter.textContent, 10) + delta); }
  }

  function adjustCount(column, delta) {
    bump(column.closest(".column").querySelector(".count"), delta);
    bump(document.querySelector('[data-total="' + column.dataset.status + '"] b'), delta);
  }

  function putBack(card, origin) {
    origin.parent.insertBefore(card, origin.next && origin.next.parentNode === origin.parent ? origin.next : null);
  }

  function openForm(card, to, origin) {
    putBack(card, origin);
    htmx.ajax("GET", card.dataset.formUrl + "?to=" + encodeURIComponent(to) + "&next=" +
              encodeURIComponent(location.pathname + location.search),
              {target: "#dialog-body", swap: "innerHTML"});
  }

  function send(card, origin) {
    var column = card.parentNode;
    var to = column.dataset.status;
    var from = origin.parent.dataset.status;
    var move = from === to ? null : offeredMove(card, to);
    if (move && (move.note || move.evidence)) { openForm(card, to, origin); return; }
    var around = neighbours(card);
    var body = new FormData();
    body.append("to", to);
    body.append("version", card.dataset.version);
    if (around.next) { body.append("before", around.next.dataset.id); }
    else if (around.prev) { body.append("after", around.prev.dataset.id); }
    card.classList.add("moving");
    fetch(card.dataset.moveUrl, {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}})
      .then(function (response) {
        if (response.status === 401 && response.headers.get("HX-Redirect")) {
          location.href = response.headers.get("HX-Redirect");
          return {ok: false, html: "", away: true};
        }
        if (toLoginIfSignedOut(response.url)) { return {ok: false, html: "", away: true}; }
        return response.text().then(function (html) {
          return {ok: response.ok, html: html, said: saidBy(response)};
        });
      })
      .then(function (result) {
        card.classList.remove("moving");
        if (result.away) { return; }
        if (!result.ok) {
          putBack(card, origin);
          flash(result.html);
          card.focus();
          return;
        }
        if (origin.parent !== column) { adjustCount(origin.parent, -1); adjustCount(column, +1); }
        var holder = document.createElement("div");
        holder.innerHTML = result.html.trim();
        var fresh = holder.firstElementChild;
        card.replaceWith(fresh);
        var summary = fresh.querySelector(".move-menu summary");
        if (summary && origin.keyboard) { summary.focus(); }
        say(result.said);
      })
      .catch(function () {
        card.classList.remove("moving");
        putBack(card, origin);
        flash('<p class="flash error" role="alert">' + (document.body.dataset.networkError || "Network error") + "</p>");
      });
  }

  function originOf(card) {
    return {parent: card.parentNode, next: card.nextElementSibling};
  }

  // Drag and drop (HTML5). Drops are allowed only into columns of the card's own swimlane.
  var dragged = null, dragOrigin = null, dropped = false;

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".card[draggable=true]");
    if (!card) { return; }
    dragged = card; dragOrigin = originOf(card); dropped = false;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
    card.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var column = event.target.closest(".column-cards");
    if (!column || column.dataset.lane !== dragOrigin.parent.dataset.lane) { return; }
    if (!mayDrop(dragged, dragOrigin.parent.dataset.status, column.dataset.status)) { return; }
    event.preventDefault();
    var after = null;
    cardsOf(column).some(function (other) {
      if (other === dragged) { return false; }
      var box = other.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { after = other; return true; }
      return false;
    });
    if (after) { column.insertBefore(dragged, after); }
    else {
      var more = column.querySelector(":scope > .load-more");
      column.insertBefore(dragged, more);
    }
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    dropped = true;
    var card = dragged, origin = dragOrigin;
    var same = card.parentNode === origin.parent && card.nextElementSibling === origin.next;
    if (!same) { send(card, origin); }
  });

  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    dragged.classList.remove("dragging");
    if (!dropped) { putBack(dragged, dragOrigin); }
    dragged = null; dragOrigin = null;
  });

  // The keyboard menu on each card: the same moves without a mouse.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move-to], [data-move-step]");
    if (!button) { return; }
    var card = button.closest(".card");
    var origin = originOf(card);
    origin.keyboard = true;
    button.closest("details").open = false;
    if (button.dataset.moveStep) {
      var around = neighbours(card);
      if (button.dataset.moveStep === "up" && around.prev) { card.parentNode.insertBefore(card, around.prev); }
      else if (button.dataset.moveStep === "down" && around.next) { card.parentNode.insertBefore(card, around.next.nextSibling); }
      else { return; }
      send(card, origin);
      return;
    }
    var lane = card.parentNode.closest(".lane") || document;
    var target = lane.querySelector('.column-cards[data-status="' + button.dataset.moveTo + '"]');
    if (!target) { return; }
    target.insertBefore(card, cardsOf(target)[0] || target.querySelector(":scope > .load-more"));
    send(card, origin);
  });
})();
