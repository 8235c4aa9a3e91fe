// The console works without this file; it only adds a print button's action (inline handlers
// are not allowed by the page's Content-Security-Policy).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});
