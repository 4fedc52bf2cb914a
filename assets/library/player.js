// The player page: a chapter click jumps there; the chapter playing is marked; a second view follows the first.
"use strict";
(function () {
  var video = document.getElementById("video");
  var second = document.getElementById("second");
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".chapter"));
  var words = {};
  try { words = JSON.parse(document.getElementById("words").textContent); } catch (e) { words = {}; }
  if (!video) { return; }
  function jump(t) {
    video.currentTime = t;
    if (second) { second.currentTime = t; }
    var playing = video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { jump(parseFloat(b.getAttribute("data-start")) || 0); });
  });
  function mark() {
    var t = video.currentTime, current = null;
    buttons.forEach(function (b) { if (parseFloat(b.getAttribute("data-start")) <= t + 0.05) { current = b; } });
    buttons.forEach(function (b) { b.classList.toggle("now", b === current); });
  }
  video.addEventListener("timeupdate", mark);
  video.addEventListener("error", function () {
    var p = document.createElement("p");
    p.className = "problem";
    p.textContent = words.cannot || "";
    video.parentNode.appendChild(p);
  });
  if (second) {
    video.addEventListener("play", function () { var p = second.play(); if (p && p.catch) { p.catch(function () {}); } });
    video.addEventListener("pause", function () { second.pause(); });
    video.addEventListener("seeked", function () { second.currentTime = video.currentTime; });
    video.addEventListener("timeupdate", function () {
      if (Math.abs(second.currentTime - video.currentTime) > 0.3) { second.currentTime = video.currentTime; }
    });
  }
  var hash = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
  if (hash) { video.addEventListener("loadedmetadata", function () { video.currentTime = parseFloat(hash[1]); }); }
})();
