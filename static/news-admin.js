// Uploads a photo from the article page: a plain HTML form cannot send the file as a raw
// body, so this posts it with fetch to the photo API (same session, CSRF token in the
// header, captions and photographer in the query string), then reloads the page. The
// API's message is shown in the form when it refuses.
(function () {
  "use strict";
  var form = document.getElementById("photo-upload");
  if (!form) return;
  var box = form.querySelector("[role=alert]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) { input.focus(); return; }
    var params = ["caption_en", "caption_zh", "photographer_name"].map(function (name) {
      return name + "=" + encodeURIComponent(form.querySelector("[name=" + name + "]").value.trim());
    }).join("&");
    var button = form.querySelector("button");
    button.disabled = true;
    box.hidden = true;
    fetch("/api/v1/articles/" + form.dataset.article + "/photos?" + params, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": file.type || "application/octet-stream" },
      body: file
    }).then(function (res) {
      if (res.ok) { window.location.reload(); return; }
      return res.json().then(function (p) {
        var msgs = (p.errors || []).map(function (e) { return e.message; });
        throw new Error(msgs.length ? msgs.join(" ") : (p.detail || p.title || res.statusText));
      }, function () { throw new Error(res.status + " " + res.statusText); });
    }).catch(function (err) {
      box.textContent = err.message;
      box.hidden = false;
      button.disabled = false;
    });
  });
})();
