// The print sheets' "Print" button: here rather than an inline onclick, which the CSP refuses.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
