// Lambda Lab embeds: add this script once to a page that has Lambda Lab <iframe>s, and each
// frame takes the height of its content. The frames post {type: "lambda-lab:resize", height}.
(function () {
  'use strict';
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || data.type !== 'lambda-lab:resize' || typeof data.height !== 'number') {
      return;
    }
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.ceil(Math.min(data.height, 20000)) + 'px';
      }
    }
  });
})();
