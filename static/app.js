// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target) {
    target.insertAdjacentHTML("afterbegin", '<p class="error" role="alert">' +
      (document.documentElement.lang === "zh-Hans" ? "请求失败，请重试。" : "The request failed; please try again.") + "</p>");
  }
});
