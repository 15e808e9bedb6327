// "Lees voor": read a question, an answer or a part of the result aloud with the browser's own
// speech (Android and iOS have it built in). Progressive enhancement: without JavaScript or without
// speech the page is unchanged; without a voice in the page's language the button says so plainly.
(function () {
  "use strict";
  var main = document.querySelector("main[data-read-aloud]");
  if (!main || !("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") return;
  var synth = window.speechSynthesis;
  var lang = (document.documentElement.lang || "nl").slice(0, 2).toLowerCase();
  var words = main.dataset;
  var speaking = null; // the button whose text is being read

  // What can be read: every question, every part of the result and the page as a whole.
  var PARTS = "fieldset.item, section.card, figure.chart figcaption, table.scores, .note";
  // Left out of what is read: buttons, form controls, the 0-10 buttons (the ends are read instead),
  // pictures and whatever is hidden from screen readers.
  var SKIP = "button, input, select, textarea, script, style, img, svg, [aria-hidden=true], .scale, " +
             ".read-aloud, .read-aloud-message";

  function textOf(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll(SKIP).forEach(function (node) { node.remove(); });
    // Cells and list items end a sentence, so the voice pauses between them.
    copy.querySelectorAll("th, td, li, legend, p, h1, h2, h3, label, dt, dd").forEach(function (node) {
      node.appendChild(document.createTextNode(". "));
    });
    return copy.textContent.replace(/\s+/g, " ").replace(/(\s*\.\s*){2,}/g, ". ").trim();
  }

  function voice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf(lang) === 0) return voices[i];
    }
    return null;
  }

  // Voices arrive a moment after the page (Chrome): wait for them once, at most a second.
  function withVoice(callback) {
    var found = voice();
    if (found || !synth.addEventListener) { callback(found); return; }
    var done = false;
    function finish() { if (!done) { done = true; callback(voice()); } }
    synth.addEventListener("voiceschanged", finish, { once: true });
    setTimeout(finish, 1000);
  }

  function reset(button) {
    button.textContent = button.dataset.label;
    button.setAttribute("aria-pressed", "false");
  }

  function stop() {
    synth.cancel();
    if (speaking) { reset(speaking); speaking = null; }
  }

  function say(button, element) {
    if (speaking === button) { stop(); return; }
    stop();
    withVoice(function (found) {
      var message = button.nextElementSibling;
      if (!found) {
        if (!message || !message.classList.contains("read-aloud-message")) {
          message = document.createElement("p");
          message.className = "read-aloud-message";
          message.setAttribute("role", "status");
          button.insertAdjacentElement("afterend", message);
        }
        message.textContent = words.noVoice;
        return;
      }
      var utterance = new window.SpeechSynthesisUtterance(textOf(element));
      utterance.voice = found;
      utterance.lang = found.lang;
      utterance.rate = 0.9; // a little slower than normal: easier to follow
      utterance.onend = utterance.onerror = function () {
        if (speaking === button) { reset(button); speaking = null; }
      };
      speaking = button;
      button.textContent = words.stopLabel;
      button.setAttribute("aria-pressed", "true");
      synth.speak(utterance);
    });
  }

  function addButton(element, where, big) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = big ? "read-aloud read-aloud-page" : "read-aloud";
    // A table's own words: its button may stand right under another part's (a chart's caption).
    button.dataset.label = big ? words.readAllLabel
      : (element.tagName === "TABLE" && words.readTableLabel) || words.readLabel;
    reset(button);
    button.addEventListener("click", function () { say(button, element); });
    where(button);
    return button;
  }

  var parts = Array.prototype.filter.call(main.querySelectorAll(PARTS), function (part, _, all) {
    // A part inside another part is read with it: one button, not two.
    return !Array.prototype.some.call(all, function (other) { return other !== part && other.contains(part); });
  });
  parts.forEach(function (part) {
    var legend = part.querySelector(":scope > legend");
    var heading = part.querySelector(":scope > h2, :scope > h3");
    if (legend) addButton(part, function (b) { legend.insertAdjacentElement("afterend", b); });
    else if (heading) addButton(part, function (b) { heading.insertAdjacentElement("afterend", b); });
    else addButton(part, function (b) { part.insertAdjacentElement(part.tagName === "TABLE" ? "beforebegin" : "afterend", b); });
  });
  var title = main.querySelector("h1");
  if (title) {
    // Under the heading, or under the heading's row when it stands beside a picture.
    var head = title.parentElement !== main && title.parentElement.tagName === "DIV" ? title.parentElement : title;
    addButton(main, function (b) { head.insertAdjacentElement("afterend", b); }, true);
  }
  window.addEventListener("pagehide", stop);
})();
