// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target) {
    target.insertAdjacentHTML("afterbegin", '<p class="error" role="alert">' +
      (document.documentElement.lang === "zh-Hans" ? "请求失败，请重试。" : "The request failed; please try again.") + "</p>");
  }
});

// Phones: the navigation folds behind a "Menu" button (the CSS hides it below 640 px).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".menu-toggle");
  if (!button) return;
  var nav = document.getElementById(button.getAttribute("aria-controls"));
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  if (nav) nav.classList.toggle("open", open);
});

// Fields that name an institution (data-suggest="institutions") offer matches as you
// type: partners first, then directory entries. Picking a directory entry keeps its
// domain in a hidden "<field>_domain" input, so saving the form adds it as a partner.
(function () {
  function box(input) {
    var next = input.nextElementSibling;
    if (next && next.classList.contains("suggest-box")) return next;
    var div = document.createElement("div");
    div.className = "suggest-box";
    div.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", div);
    return div;
  }
  function hidden(input) {
    var name = input.name + "_domain";
    var el = input.form && input.form.querySelector('input[type=hidden][name="' + name + '"]');
    if (!el && input.form) {
      el = document.createElement("input");
      el.type = "hidden";
      el.name = name;
      input.form.appendChild(el);
    }
    return el;
  }
  var timers = new WeakMap();
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-suggest]")) return;
    var domain = hidden(input);
    if (domain) domain.value = "";
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var mode = input.getAttribute("data-suggest-mode") || "";
      var url = "/suggest/" + input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(input.value) + "&mode=" + mode;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
        box(input).innerHTML = html;
      }).catch(function () {});
    }, 200));
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".suggest-box button[data-fill]");
    if (!button) return;
    var container = button.closest(".suggest-box");
    var input = container.previousElementSibling;
    input.value = button.getAttribute("data-fill");
    var domain = hidden(input);
    if (domain) domain.value = button.getAttribute("data-domain") || "";
    container.innerHTML = "";
    input.focus();
  });
})();
