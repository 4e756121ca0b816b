// Live pages (issue 22): one EventSource per tab on pages that carry <meta name="live-stream">. The stream says
// only which item changed; what the page shows of it is fetched again through the routes that drew it, with the
// reader's permissions, and swapped in keeping the scroll position and the keyboard focus:
// - a board (#board) fetches each changed card (/board/card/<id> with the board's own filters) and puts it in
//   its column, or removes it when it is no longer on this board;
// - an item page (<meta name="live-item">) fetches its detail again when its item changed;
// - a queue, the dashboard or the wall screen (<meta name="live-region">) fetch the page again, a little after
//   the last change of a burst, and swap the named parts.
// A part the person is writing in (focus in a field, or words typed) is not swapped under them: it is marked
// as changed and swapped once they leave it. No inline script and no library beyond the page's own.
(function () {
  "use strict";

  // The wall screen's 全屏 button (a browser goes full screen only when asked by a click).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-fullscreen]") && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    }
  });

  var meta = function (name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.content : null;
  };
  var streamUrl = meta("live-stream");
  if (!streamUrl || !window.EventSource) { return; }

  var REGION_DELAY = 400;  // ms: a bulk decision of 200 items is one refresh, not 200
  var FIELDS = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, select";

  // ---- keeping the place -----------------------------------------------------------------------------
  // The element the person is on, as a path of child positions from `root`, so the same element is found in
  // the fresh copy; and an anchor on screen whose position is held while things above it change.
  function pathOf(node, root) {
    var path = [];
    while (node && node !== root) {
      path.unshift(Array.prototype.indexOf.call(node.parentNode.children, node));
      node = node.parentNode;
    }
    return node === root ? path : null;
  }

  function follow(root, path) {
    var node = root;
    for (var i = 0; node && i < path.length; i++) { node = node.children[path[i]]; }
    return node || null;
  }

  function anchor(root) {
    var held = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
    if (held && root && root.contains(held) && !held.id) {
      // a control without an id of its own inside what is swapped (a queue row's button) is held by the nearest
      // element inside it that has one (its row), found again by that id in the fresh copy
      var keyed = held.parentElement && held.parentElement.closest("[id]");
      held = keyed && keyed !== root && root.contains(keyed) ? keyed : null;
    }
    // the first card or queue row in view; only a page without them is held by a row, an item or a section (a
    // section holding the whole region would stay put while the rows inside it move)
    [".card, .review-row", "tr, li, section"].forEach(function (kinds) {
      if (held) { return; }
      var cards = document.querySelectorAll(kinds);
      for (var i = 0; i < cards.length; i++) {
        var box = cards[i].getBoundingClientRect();
        if (box.bottom > 0 && box.height > 0) { held = cards[i]; break; }
      }
    });
    return held ? {node: held, id: held.id, top: held.getBoundingClientRect().top} : null;
  }

  function keepPlace(root, swap) {
    var focused = document.activeElement;
    var path = root && focused && root.contains(focused) ? pathOf(focused, root) : null;
    var mark = anchor(root);
    var fresh = swap();
    if (path && fresh) {
      var again = follow(fresh, path);
      if (again && again.focus) { again.focus({preventScroll: true}); }
    }
    // the anchor itself, or, when the swap replaced it, its fresh copy (the same id)
    var held = mark && (mark.node.isConnected ? mark.node : (mark.id && document.getElementById(mark.id)));
    if (held) {
      var moved = held.getBoundingClientRect().top - mark.top;
      if (moved) { window.scrollBy(0, moved); }
    }
  }

  function busy(root) {
    var focused = document.activeElement;
    if (focused && root.contains(focused) && focused.matches(FIELDS)) { return true; }
    return Array.prototype.some.call(root.querySelectorAll("textarea, input[type=text]"), function (field) {
      return field.value !== field.defaultValue;
    }) || Boolean(root.querySelector("details[open] form, dialog[open]"));
  }

  function fetchText(url) {
    return fetch(url, {credentials: "same-origin", headers: {"X-Live": "1"}}).then(function (response) {
      if (response.redirected && new URL(response.url).pathname === "/login") { stop(); return null; }
      return response;
    });
  }

  // ---- the board ---------------------------------------------------------------------------------------
  function bump(counter, delta) {
    if (counter) { counter.textContent = String(parseInt(counter.textContent, 10) + delta); }
  }

  function count(column, delta) {
    var section = column.closest(".column");
    if (section) { bump(section.querySelector(".count"), delta); }
    bump(document.querySelector('[data-total="' + column.dataset.status + '"] b'), delta);
  }

  function columnFor(board, status, lane) {
    return board.querySelector('.column-cards[data-status="' + status + '"][data-lane="' + lane + '"]');
  }

  function refreshCard(board, id) {
    var current = document.getElementById("card-" + id);
    if (current && current.classList.contains("moving")) { return; }  // this tab's own move answers itself
    fetchText("/board/card/" + id + location.search).then(function (response) {
      if (!response) { return; }
      if (response.status === 204) {
        if (current && current.isConnected) {
          keepPlace(current.parentNode, function () { count(current.parentNode, -1); current.remove(); return null; });
        }
        return;
      }
      if (!response.ok) { return; }
      var lane = response.headers.get("Tracker-Lane") || "";
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        current = document.getElementById("card-" + id);
        if (current && current.dataset.version === fresh.dataset.version &&
            current.dataset.status === fresh.dataset.status) { return; }  // already shown as it is
        var target = columnFor(board, fresh.dataset.status, lane);
        keepPlace(current || target, function () {
          if (current && current.parentNode === target) { current.replaceWith(fresh); return fresh; }
          if (current) { count(current.parentNode, -1); current.remove(); }
          if (!target) { return null; }  // its lane is not on this page (a lane not loaded)
          var first = target.querySelector(":scope > .card, :scope > .load-more");
          target.insertBefore(fresh, first);
          count(target, +1);
          return fresh;
        });
        fresh.classList.add("live-changed");
        window.setTimeout(function () { fresh.classList.remove("live-changed"); }, 2000);
      });
    }).catch(function () { /* the next change or the next reconnect tries again */ });
  }

  // ---- regions: an item's detail, a queue, the dashboard, the wall ---------------------------------------
  var waiting = null, deferred = [];

  function refreshRegions(selectors) {
    fetchText(location.href).then(function (response) {
      if (!response || !response.ok) { return null; }
      return response.text();
    }).then(function (html) {
      if (!html) { return; }
      var page = new DOMParser().parseFromString(html, "text/html");
      selectors.forEach(function (selector) {
        var old = document.querySelector(selector), fresh = page.querySelector(selector);
        if (!old || !fresh) { return; }
        if (busy(old)) {
          old.classList.add("live-stale");
          if (deferred.indexOf(selector) === -1) { deferred.push(selector); }
          return;
        }
        keepPlace(old, function () {
          var adopted = document.importNode(fresh, true);
          keepDecided(old, adopted);
          old.replaceWith(adopted);
          if (window.htmx) { window.htmx.process(adopted); }
          return adopted;
        });
      });
    }).catch(function () { /* tried again on the next change */ });
  }

  // A row the person has just decided in place (its words where its form was: web/inplace.py) stays where it
  // was through a refresh: the fresh queue no longer holds the item, and those words are what they are reading.
  // It goes before the first row that followed it and is still there, else at the end of its container.
  function keepDecided(old, fresh) {
    Array.prototype.forEach.call(old.querySelectorAll(".decided[id]"), function (row) {
      if (fresh.querySelector("#" + CSS.escape(row.id))) { return; }
      var anchor = null;
      for (var next = row.nextElementSibling; next && !anchor; next = next.nextElementSibling) {
        anchor = next.id ? fresh.querySelector("#" + CSS.escape(next.id)) : null;
      }
      var home = row.parentElement === old ? fresh
        : (row.parentElement.id ? fresh.querySelector("#" + CSS.escape(row.parentElement.id)) : null);
      if (anchor) { anchor.parentNode.insertBefore(row.cloneNode(true), anchor); }
      else if (home) { home.appendChild(row.cloneNode(true)); }
    });
  }

  function soon(selectors) {
    window.clearTimeout(waiting);
    waiting = window.setTimeout(function () { refreshRegions(selectors); }, REGION_DELAY);
  }

  // A part left alone (focus moved out of it, nothing typed) is brought up to date then.
  document.addEventListener("focusout", function () {
    window.setTimeout(function () {
      var ready = deferred.filter(function (selector) {
        var old = document.querySelector(selector);
        return old && !busy(old);
      });
      if (ready.length) {
        deferred = deferred.filter(function (selector) { return ready.indexOf(selector) === -1; });
        refreshRegions(ready);
      }
    }, 0);
  });

  // ---- the stream --------------------------------------------------------------------------------------
  var itemId = meta("live-item");
  var regions = (meta("live-region") || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  var source = new EventSource(streamUrl);
  document.documentElement.dataset.live = "connecting";

  function changed(id) {
    var board = document.getElementById("board");
    if (board) { refreshCard(board, id); }
    if (itemId && String(id) === itemId) { soon(["#item-detail"]); }
    if (regions.length) { soon(regions); }
  }

  function everything() {
    var board = document.getElementById("board");
    if (board) { soon(["#board"]); }
    if (itemId) { soon(["#item-detail"]); }
    if (regions.length) { soon(regions); }
  }

  function stop() {
    source.close();
    document.documentElement.dataset.live = "stopped";
  }

  source.addEventListener("open", function () { document.documentElement.dataset.live = "open"; });
  source.addEventListener("item", function (event) {
    try { changed(JSON.parse(event.data).item); } catch (error) { /* a malformed event changes nothing */ }
  });
  source.addEventListener("reset", everything);
  source.addEventListener("error", function () {
    // Closed for good (signed out: the login page is not a stream); otherwise the browser reconnects by
    // itself with Last-Event-ID.
    if (source.readyState === EventSource.CLOSED) { document.documentElement.dataset.live = "stopped"; }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
