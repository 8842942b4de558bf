/* NTM Atlas: a language switch in the browser. The page callback's answer to a switch carries
   the language's words (the words store: dashboard/callbacks.py words_for); this puts them in
   every translated text node, tab label and property, without a request of its own. Texts
   are set as text by Dash (never HTML). */
(function () {
  "use strict";
  window.dash_clientside = Object.assign({}, window.dash_clientside, { ntm_words: {
    apply: function (words, textIds, tabIds) {
      if (!words || !words.texts) { throw window.dash_clientside.PreventUpdate; }
      var text = function (id) { return id.key in words.texts ? words.texts[id.key] : id.key; };
      return [textIds.map(text), tabIds.map(text), words.lang].concat(words.props);
    }
  } });
})();
