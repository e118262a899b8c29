// Django's prepopulated_fields: while staff type a name, the slug follows it
// (lower case, ASCII letters, digits and hyphens), until they edit the slug themselves.
(function () {
  "use strict";
  function slugify(text, maxLength) {
    var slug = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9\s_-]/g, "").trim().replace(/[\s_-]+/g, "-").replace(/^-+|-+$/g, "");
    return maxLength ? slug.slice(0, maxLength).replace(/-+$/, "") : slug;
  }
  document.querySelectorAll("[data-prepopulated-from]").forEach(function (target) {
    var source = document.getElementById(target.getAttribute("data-prepopulated-from"));
    if (!source) { return; }
    // Only a new object's slug follows the name (Django: an empty slug on load).
    var edited = target.value !== "";
    target.addEventListener("input", function () { edited = target.value !== ""; });
    ["input", "keyup", "change"].forEach(function (event) {
      source.addEventListener(event, function () {
        if (!edited) { target.value = slugify(source.value, parseInt(target.getAttribute("maxlength"), 10)); }
      });
    });
  });
})();
