// Live total of the rubric form, so an expert sees the sum before submitting.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  var output = document.getElementById("score-total");
  if (!form || !output) { return; }
  function update() {
    var total = 0;
    form.querySelectorAll("input.score-input").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { total += value; }
    });
    output.textContent = Math.round(total * 10) / 10;
  }
  form.addEventListener("input", update);
  update();
})();
