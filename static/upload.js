// Uploads a document (an agreement's, a student's application's) from its page: a plain
// HTML form cannot send the file as a raw body, so this posts it with fetch to the API
// address in the form's data-upload (same session, CSRF token in the header), then
// reloads the page. Errors are shown in the form.
(function () {
  "use strict";
  var form = document.getElementById("document-upload");
  if (!form) return;
  var box = form.querySelector("[role=alert]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) return;
    var kind = form.querySelector("select[name=kind]").value;
    var url = form.dataset.upload + "?name=" +
      encodeURIComponent(file.name) + "&kind=" + encodeURIComponent(kind);
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": "application/octet-stream" },
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
