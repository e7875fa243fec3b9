document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("app").dataset.route = location.pathname;
});
