// trackvault report: search across the library and page through collections. The page works
// without this script (every row is also in <noscript> HTML); it only adds search and paging.
(function () {
  "use strict";
  var PAGE = 100, MAX_RESULTS = 500;
  var F = { title: 0, artists: 1, album: 2, added: 3, uri: 4, isrc: 5, rec: 6, rel: 7, rg: 8, arts: 9, kind: 10 };
  var data = JSON.parse(document.getElementById("data").textContent);
  var haystacks = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function link(href, text, title) {
    var a = el("a", "", text);
    a.href = href;
    if (title) a.title = title;
    return a;
  }
  var MB = "https://musicbrainz.org/";
  // The same cells and links as the HTML rows the program writes (push_row in report/page.rs).
  function rowEl(r, where) {
    var tr = el("tr", r[F.kind] === "unavailable" ? "row na" : "row");
    tr.setAttribute("data-uri", r[F.uri]);
    if (where !== undefined) tr.appendChild(el("td", "in", where));
    tr.appendChild(el("td", "title", r[F.title]));
    tr.appendChild(el("td", "artists", r[F.artists]));
    tr.appendChild(el("td", "album", r[F.album]));
    tr.appendChild(el("td", "added", r[F.added]));
    var ids = el("td", "ids");
    function add(node) { ids.appendChild(node); ids.appendChild(document.createTextNode(" ")); }
    if (r[F.uri]) add(link(r[F.uri], "spotify", r[F.uri]));
    if (r[F.isrc]) add(el("span", "isrc", r[F.isrc]));
    if (r[F.rec]) add(link(MB + "recording/" + r[F.rec], "recording"));
    if (r[F.rel]) add(link(MB + "release/" + r[F.rel], "release"));
    else if (r[F.rg]) add(link(MB + "release-group/" + r[F.rg], "release group"));
    if (r[F.arts]) r[F.arts].split(" ").forEach(function (id) { add(link(MB + "artist/" + id, "artist")); });
    tr.appendChild(ids);
    return tr;
  }
  // Search results mix collections, so they get generic column titles.
  function table(headers) {
    var t = el("table", "rows"), head = el("tr");
    headers.forEach(function (h) {
      head.appendChild(el("th", "", h));
    });
    var thead = el("thead");
    thead.appendChild(head);
    t.appendChild(thead);
    t.appendChild(el("tbody"));
    return t;
  }

  // Browse: a collection's rows are built when it is opened, PAGE at a time.
  function fill(details) {
    var c = data.c[+details.getAttribute("data-c")];
    var box = details.querySelector(".rows");
    if (!c || !box || box.childNodes.length) return;
    var t = table(c.h), body = t.tBodies[0], shown = 0;
    var more = el("button", "more");
    more.type = "button";
    function page() {
      var end = Math.min(shown + PAGE, c.r.length);
      for (; shown < end; shown++) body.appendChild(rowEl(c.r[shown]));
      more.textContent = "Show " + Math.min(PAGE, c.r.length - shown) + " more of " + (c.r.length - shown);
      more.hidden = shown >= c.r.length;
    }
    more.addEventListener("click", page);
    box.appendChild(t);
    box.appendChild(more);
    page();
  }
  var all = document.querySelectorAll("details.coll");
  for (var i = 0; i < all.length; i++) {
    all[i].addEventListener("toggle", function (e) { if (e.target.open) fill(e.target); });
    if (all[i].open) fill(all[i]);
  }

  // Search: every word must occur in a row's title, artists, album, ISRC or MusicBrainz ids.
  function buildHaystacks() {
    haystacks = data.c.map(function (c) {
      return c.r.map(function (r) {
        if (r[F.kind] === "unavailable") return null;
        return [r[F.title], r[F.artists], r[F.album], r[F.isrc], r[F.rec], r[F.rel], r[F.rg], r[F.arts]].join("\n").toLowerCase();
      });
    });
  }
  var results = document.getElementById("results");
  var library = document.getElementById("library");
  var input = document.getElementById("q");
  function search(q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    var box = results.querySelector(".found");
    box.textContent = "";
    if (!words.length) {
      results.hidden = true;
      library.hidden = false;
      results.setAttribute("data-matches", "0");
      return;
    }
    if (!haystacks) buildHaystacks();
    var t = table(["In", "Title", "Artists", "Album", "Added", "Links"]), body = t.tBodies[0], matches = 0;
    data.c.forEach(function (c, ci) {
      c.r.forEach(function (r, ri) {
        var h = haystacks[ci][ri];
        if (h === null) return;
        for (var w = 0; w < words.length; w++) if (h.indexOf(words[w]) < 0) return;
        matches++;
        if (matches <= MAX_RESULTS) body.appendChild(rowEl(r, c.n));
      });
    });
    results.setAttribute("data-matches", String(matches));
    results.querySelector(".count").textContent = matches === 0 ? "Nothing matches." :
      matches + (matches === 1 ? " row matches" : " rows match") +
      (matches > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are shown, add a word to narrow it down." : ".");
    if (matches) box.appendChild(t);
    results.hidden = false;
    library.hidden = true;
  }
  function fromHash() {
    var m = /^#q=(.*)$/.exec(location.hash);
    if (!m) return "";
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return m[1]; }
  }
  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value;
      history.replaceState(null, "", q ? "#q=" + encodeURIComponent(q) : location.pathname + location.search);
      search(q);
    }, 150);
  });
  window.addEventListener("hashchange", function () { input.value = fromHash(); search(input.value); });
  document.getElementById("search").addEventListener("submit", function (e) { e.preventDefault(); });
  input.hidden = false;
  input.value = fromHash();
  if (input.value) search(input.value);
  document.documentElement.setAttribute("data-render-ms", String(Math.round(performance.now())));
})();
