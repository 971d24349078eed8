/* The interactions of Great Expectations' Data Docs pages without the jQuery and Bootstrap they load from CDNs
   (which an office network without internet cannot reach): the "Show more info..." toggles, the Show All / Failed
   Only filter and its buttons. Loaded after GX's inline scripts, so these functions replace GX's jQuery ones. */

function _setShown(elements, shown) {
  elements.forEach(function (element) { element.style.display = shown ? "" : "none"; });
}

function _filterValidations(shown) {
  var parents = Array.from(document.querySelectorAll(".hide-succeeded-validation-target-child"), function (child) {
    return child.parentElement;
  });
  _setShown(parents, shown);
  _setShown(document.querySelectorAll(".hide-succeeded-validation-target"), shown);
  document.querySelectorAll(".hide-succeeded-validations-column-section-target-child").forEach(function (child) {
    var section = child.parentElement.parentElement;
    _setShown([section], shown);
    if (section.id) {
      _setShown(document.querySelectorAll('a[href$="' + CSS.escape(section.id) + '"]'), shown);
    }
  });
}

function showAllValidations() { _filterValidations(true); }

function hideSucceededValidations() { _filterValidations(false); }

document.addEventListener("click", function (event) {
  var toggle = event.target.closest('[data-toggle="collapse"]');
  if (toggle) {
    event.preventDefault();
    var target = document.getElementById((toggle.getAttribute("href") || toggle.dataset.target || "").replace(/^#/, ""));
    if (target) {
      var shown = target.classList.toggle("show");
      toggle.setAttribute("aria-expanded", shown ? "true" : "false");
    }
  }
  var button = event.target.closest('[data-toggle="buttons"] .btn');
  if (button) {
    button.parentElement.querySelectorAll(".btn").forEach(function (other) { other.classList.remove("active"); });
    button.classList.add("active");
  }
});
