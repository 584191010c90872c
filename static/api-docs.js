// Renders /api/openapi.json as a readable reference: operations grouped by tag, with
// access rule, parameters, request body and responses, and schemas at the end.
(function () {
  "use strict";
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  }
  function refName(s) { return s && s.$ref ? s.$ref.split("/").pop() : null; }
  function schemaText(s) {
    if (!s) return "";
    var r = refName(s); if (r) return r;
    if (s.type === "array") return "array of " + schemaText(s.items);
    if (Array.isArray(s.type)) return s.type.join(" | ");
    if (s.oneOf) return s.oneOf.map(schemaText).join(" | ");
    return s.type || "object";
  }
  function access(op) {
    var a = op["x-access"]; if (!a) return "";
    return a.kind === "permission" ? "needs permission: " + a.permission : a.kind;
  }
  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (doc) {
    document.getElementById("intro").textContent = doc.info.description || "";
    var root = document.getElementById("ops");
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "other";
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      root.append(el("h2", { id: "tag-" + tag }, [tag]));
      byTag[tag].forEach(function (x) {
        var d = el("details", { class: "card" }, []);
        d.append(el("summary", {}, [el("code", {}, [x.method.toUpperCase() + " " + x.path]), " — " + (x.op.summary || x.op.description || "")]));
        if (x.op.description) d.append(el("p", {}, [x.op.description]));
        d.append(el("p", { class: "muted" }, ["Access: " + access(x.op)]));
        if (x.op.parameters && x.op.parameters.length) {
          var t = el("table", {}, [el("tr", {}, [el("th", {}, ["parameter"]), el("th", {}, ["in"]), el("th", {}, ["type"]), el("th", {}, ["description"])])]);
          x.op.parameters.forEach(function (p) {
            t.append(el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in]), el("td", {}, [schemaText(p.schema)]), el("td", {}, [p.description || ""])]));
          });
          d.append(t);
        }
        if (x.op.requestBody) {
          var c = x.op.requestBody.content || {}; var ct = Object.keys(c)[0];
          d.append(el("p", {}, ["Request body (" + ct + "): ", el("a", { href: "#schema-" + schemaText(c[ct].schema) }, [schemaText(c[ct].schema)])]));
        }
        var ul = el("ul", {}, []);
        Object.keys(x.op.responses || {}).forEach(function (code) {
          var resp = x.op.responses[code]; var cs = resp.content || {}; var k = Object.keys(cs)[0];
          ul.append(el("li", {}, [code + " " + (resp.description || "") + (k ? " — " + schemaText(cs[k].schema) : "")]));
        });
        d.append(el("p", {}, ["Responses:"]), ul);
        root.append(d);
      });
    });
    var schemas = (doc.components && doc.components.schemas) || {};
    root.append(el("h2", {}, ["Schemas"]));
    Object.keys(schemas).sort().forEach(function (name) {
      var s = schemas[name];
      var t = el("table", {}, [el("tr", {}, [el("th", {}, ["field"]), el("th", {}, ["type"]), el("th", {}, ["description"])])]);
      Object.keys(s.properties || {}).forEach(function (f) {
        var p = s.properties[f];
        var req = (s.required || []).indexOf(f) >= 0 ? " (required)" : "";
        t.append(el("tr", {}, [el("td", {}, [el("code", {}, [f])]), el("td", {}, [schemaText(p) + req]), el("td", {}, [p.description || ""])]));
      });
      root.append(el("section", { id: "schema-" + name, class: "card" }, [el("h3", {}, [name]), el("p", {}, [s.description || ""]), t]));
    });
  }).catch(function (e) {
    document.getElementById("intro").textContent = "Could not load /api/openapi.json: " + e;
  });
})();
