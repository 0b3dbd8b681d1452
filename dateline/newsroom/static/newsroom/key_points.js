/* Move up / Move down for key points: swaps rows and renumbers, so the order survives without drag and drop. */
(function () {
  "use strict";
  var list = document.getElementById("kp-rows");
  if (!list) return;
  function renumber() {
    Array.prototype.forEach.call(list.children, function (row, i) {
      row.querySelector(".kp-order").value = i + 1;
      row.querySelector("input[type=checkbox]").name = "remove-" + i;
    });
  }
  Array.prototype.forEach.call(list.querySelectorAll(".kp-move"), function (p) { p.hidden = false; });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest(".kp-row");
    if (button.classList.contains("kp-up") && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
    else if (button.classList.contains("kp-down") && row.nextElementSibling) list.insertBefore(row.nextElementSibling, row);
    else return;
    renumber();
    button.focus();
  });
})();
