// The student tablet: join with the session's code, then answer what the lecturer asks.
// Every piece of text from the network is inserted with textContent, never as markup.
(function () {
  'use strict';
  var T = {
    en: {
      title: 'Classroom', code: 'Session code', name: 'Your name', join: 'Join', send: 'Send',
      waiting: 'Waiting for the lecturer…', results: 'Results', approved: 'Answers shown to the class',
      raise: 'Raise hand', lower: 'Lower hand', ended: 'The session has ended. Thank you!', eyes: 'Eyes on the board',
      you: 'You are {0}', online: 'connected', offline: 'reconnecting…', single: 'Choose one answer.',
      multiple: 'Choose one or more answers, then Send.', open: 'Type your answer, then Send.',
      sent: 'Answer sent. You can change it while the question is open.', closed: 'The question is closed.',
      right: 'Right! Your score: {0}', wrong: 'Not this time. Your score: {0}',
      'wrong-code': 'That code is not right. Check the code on the board.',
      'locked-out': 'Too many wrong codes. Try again in {0} s.', 'name-needed': 'Please enter your name.',
      'code-needed': 'Please enter the session code.', full: 'The class is full.',
      'not-open': 'This question is no longer open.', 'bad-choice': 'Choose an answer first.',
      empty: 'Your answer is empty.', replaced: 'This seat is now open on another tab or device.',
      unreachable: 'Cannot reach the console. Is this tablet on the room\u2019s Wi-Fi?', 'bad-message': 'Something went wrong.',
      'not-joined': 'Join the session first.'
    },
    ru: {
      title: 'Аудитория', code: 'Код сессии', name: 'Ваше имя', join: 'Войти', send: 'Отправить',
      waiting: 'Ждём преподавателя…', results: 'Результаты', approved: 'Ответы, показанные группе',
      raise: 'Поднять руку', lower: 'Опустить руку', ended: 'Занятие окончено. Спасибо!', eyes: 'Все смотрят на доску',
      you: 'Вы — {0}', online: 'на связи', offline: 'переподключение…', single: 'Выберите один ответ.',
      multiple: 'Выберите один или несколько ответов и нажмите «Отправить».', open: 'Напишите ответ и нажмите «Отправить».',
      sent: 'Ответ отправлен. Пока вопрос открыт, его можно изменить.', closed: 'Вопрос закрыт.',
      right: 'Верно! Ваши баллы: {0}', wrong: 'На этот раз неверно. Ваши баллы: {0}',
      'wrong-code': 'Код неверный. Проверьте код на доске.',
      'locked-out': 'Слишком много неверных кодов. Попробуйте через {0} с.', 'name-needed': 'Введите своё имя.',
      'code-needed': 'Введите код сессии.', full: 'В группе нет свободных мест.',
      'not-open': 'Этот вопрос уже закрыт.', 'bad-choice': 'Сначала выберите ответ.',
      empty: 'Ответ пустой.', replaced: 'Это место открыто на другой вкладке или устройстве.',
      unreachable: 'Нет связи с пультом. Планшет подключён к Wi-Fi аудитории?', 'bad-message': 'Что-то пошло не так.',
      'not-joined': 'Сначала войдите в занятие.'
    }
  };
  var KEY = 'classroom.seat', LANG = 'classroom.lang';
  var $ = function (id) { return document.getElementById(id); };
  var lang = pickLang();
  var ws = null, seat = null, name = '', activity = null, mine = null, chosen = [], hand = false;
  var timerEnd = 0, timerTick = 0, retry = 0, retryTimer = 0, ended = false, joining = null, lastNote = null;

  function pickLang() {
    var saved = null;
    try { saved = localStorage.getItem(LANG); } catch (e) { /* private mode */ }
    if (saved === 'en' || saved === 'ru') return saved;
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
    for (var i = 0; i < langs.length; i++) {
      var l = String(langs[i]).toLowerCase().slice(0, 2);
      if (T[l]) return l;
    }
    return 'en';
  }
  function t(key, arg) {
    var s = (T[lang] && T[lang][key]) || T.en[key] || key;
    return arg === undefined ? s : s.replace('{0}', String(arg));
  }
  function text(el, s) { el.textContent = s; }
  function load() { try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { return null; } }
  function save(v) { try { if (v) localStorage.setItem(KEY, JSON.stringify(v)); else localStorage.removeItem(KEY); } catch (e) { /* ignore */ } }

  function setLang(l) {
    lang = l;
    try { localStorage.setItem(LANG, l); } catch (e) { /* ignore */ }
    applyLang();
  }
  function applyLang() {
    document.documentElement.lang = lang;
    var els = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < els.length; i++) text(els[i], t(els[i].getAttribute('data-i18n')));
    document.title = t('title');
    var ls = document.querySelectorAll('.lang');
    for (var j = 0; j < ls.length; j++) ls[j].setAttribute('aria-pressed', String(ls[j].getAttribute('data-lang') === lang));
    renderAll();
  }

  // -- connection --------------------------------------------------------------------------
  function connect(join) {
    joining = join;
    clearTimeout(retryTimer);
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    var sock;
    try { sock = new WebSocket(url); } catch (e) { lost(); return; }
    ws = sock;
    sock.onopen = function () { sock.send(JSON.stringify(joining)); };
    sock.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m && typeof m.t === 'string') handle(m);
    };
    sock.onclose = function () { if (ws === sock) { ws = null; lost(); } };
  }
  function lost() {
    $('join-button').disabled = false;
    if (ended) return;
    if (!seat) {
      if (joining && !joining.secret) note('join-error', 'unreachable');
      return;
    }
    status(false);
    var wait = Math.min(5000, 300 * Math.pow(2, retry++)) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(function () { connect({ t: 'join', code: seat.code, secret: seat.secret }); }, wait);
  }
  function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); }
  function status(ok) {
    var s = $('status');
    text(s, t(ok ? 'online' : 'offline'));
    s.className = ok ? 'status' : 'status bad';
  }
  function note(id, key, arg) {
    if (key && !T.en[key]) key = 'bad-message';  // a code from a newer console: never shown raw, in English
    lastNote = { id: id, key: key, arg: arg };
    text($(id), key ? t(key, arg) : '');
  }

  function handle(m) {
    switch (m.t) {
      case 'welcome':
        retry = 0;
        seat = { code: m.code, secret: m.secret, id: m.seat };
        name = m.name;
        save({ code: m.code, secret: m.secret });
        activity = m.activity; mine = m.mine; chosen = mine && mine.choice ? mine.choice.slice() : [];
        hand = !!m.hand;
        setTimer(m.timer_ms || 0);
        $('eyes').hidden = !m.eyes;
        showApproved(m.approved || []);
        $('results').hidden = true;
        $('join').hidden = true; $('room').hidden = false;
        note('feedback', mine ? 'sent' : '');
        status(true);
        renderAll();
        break;
      case 'refused':
        if (!seat) {
          $('join-button').disabled = false;
          if (joining && joining.secret && m.reason !== 'locked-out') {
            // A seat kept from an earlier session: forget it quietly and ask for the code and name.
            save(null); joining = null; showForm(); $('code').value = '';
          } else if (m.reason !== 'not-joined') {
            note('join-error', m.reason, m.retry_s);
          }
          if (ws) { var s = ws; ws = null; s.close(); }
        } else {
          note('feedback', m.reason);
        }
        break;
      case 'activity':
        activity = m.activity; mine = null; chosen = [];
        $('results').hidden = true; showApproved([]);
        note('feedback', '');
        renderActivity();
        break;
      case 'answered':
        if (activity && m.activity === activity.id) { mine = m.mine; note('feedback', 'sent'); renderActivity(); }
        break;
      case 'closed':
        if (activity && m.activity && m.activity.id === activity.id) {
          activity = m.activity;
          if (m.right === true) note('feedback', 'right', m.score);
          else if (m.right === false) note('feedback', 'wrong', m.score);
          else note('feedback', 'closed');
          renderActivity();
        }
        break;
      case 'results': showResults(m); break;
      case 'approved': showApproved(m.answers || []); break;
      case 'timer': setTimer(m.ms || 0); break;
      case 'eyes': $('eyes').hidden = !m.on; break;
      case 'hand': hand = !!m.up; renderHand(); break;
      case 'replaced':
        ended = true; note('feedback', 'replaced'); status(false);
        break;
      case 'ended':
        ended = true; save(null);
        $('room').hidden = true; $('join').hidden = true; $('eyes').hidden = true; $('ended').hidden = false;
        break;
      case 'error': note('feedback', m.reason); break;
    }
  }

  // -- drawing (textContent only) ------------------------------------------------------------
  function renderAll() {
    if (name) text($('hello'), t('you', name));
    if (seat) status(!!ws);
    renderActivity(); renderHand();
    if (lastNote) text($(lastNote.id), lastNote.key ? t(lastNote.key, lastNote.arg) : '');
  }
  function renderHand() {
    var b = $('hand');
    b.setAttribute('aria-pressed', String(hand));
    text(b, t(hand ? 'lower' : 'raise'));
  }
  function renderActivity() {
    var a = activity, box = $('options');
    $('waiting').hidden = !!a;
    text($('question'), a ? a.question : '');
    while (box.firstChild) box.removeChild(box.firstChild);
    $('text').hidden = true; $('send').hidden = true;
    if (!a) { text($('hint'), ''); return; }
    var isOpen = a.kind === 'open';
    text($('hint'), !a.open ? '' : t(isOpen ? 'open' : (a.multiple ? 'multiple' : 'single')));
    if (isOpen) {
      var area = $('text');
      area.hidden = !a.open; area.disabled = !a.open;
      if (mine && mine.text && !area.value) area.value = mine.text;
      $('send').hidden = !a.open;
      return;
    }
    var correct = a.correct || [];
    a.options.forEach(function (opt, i) {
      var b = document.createElement('button');
      b.type = 'button';
      text(b, opt);
      b.setAttribute('aria-pressed', String(chosen.indexOf(i) >= 0));
      if (correct.indexOf(i) >= 0) b.className = 'right';
      b.disabled = !a.open;
      b.addEventListener('click', function () { choose(i); });
      box.appendChild(b);
    });
    $('send').hidden = !(a.multiple && a.open);
  }
  function choose(i) {
    if (!activity || !activity.open) return;
    if (activity.multiple) {
      var at = chosen.indexOf(i);
      if (at >= 0) chosen.splice(at, 1); else chosen.push(i);
      renderActivity();
    } else {
      chosen = [i];
      renderActivity();
      send({ t: 'answer', activity: activity.id, choice: [i] });
    }
  }
  function sendAnswer() {
    if (!activity || !activity.open) return;
    if (activity.kind === 'open') {
      var v = $('text').value.trim();
      if (!v) { note('feedback', 'empty'); return; }
      send({ t: 'answer', activity: activity.id, text: v });
    } else {
      if (!chosen.length) { note('feedback', 'bad-choice'); return; }
      send({ t: 'answer', activity: activity.id, choice: chosen.slice().sort() });
    }
  }
  function showResults(m) {
    var ul = $('counts');
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    var counts = m.counts || {}, keys = Object.keys(counts), total = 0;
    keys.forEach(function (k) { total += counts[k]; });
    keys.forEach(function (k) {
      var li = document.createElement('li'), label = document.createElement('span'), n = document.createElement('span');
      var bar = document.createElement('div'), fill = document.createElement('span');
      text(label, k); text(n, String(counts[k]));
      bar.className = 'bar'; fill.style.width = (total ? Math.round(100 * counts[k] / total) : 0) + '%';
      bar.appendChild(fill); li.appendChild(label); li.appendChild(n); li.appendChild(bar); ul.appendChild(li);
    });
    $('results').hidden = keys.length === 0;
    if (m.answers) showApproved(m.answers);
  }
  function showApproved(list) {
    var ul = $('approved');
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    list.forEach(function (a) {
      var li = document.createElement('li');
      if (a.name) { var b = document.createElement('b'); text(b, a.name); li.appendChild(b); }
      li.appendChild(document.createTextNode(a.text));
      ul.appendChild(li);
    });
    $('approved-box').hidden = list.length === 0;
  }
  function setTimer(ms) {
    clearInterval(timerTick);
    var el = $('timer');
    if (ms <= 0) { if (!el.hidden) { text(el, '0:00'); el.className = 'timer done'; } return; }
    timerEnd = Date.now() + ms;
    el.hidden = false; el.className = 'timer';
    var tick = function () {
      var left = Math.max(0, Math.ceil((timerEnd - Date.now()) / 1000));
      text(el, Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2));
      if (left <= 0) { clearInterval(timerTick); el.className = 'timer done'; }
    };
    tick();
    timerTick = setInterval(tick, 250);
  }
  function showForm() { $('room').hidden = true; $('join').hidden = false; }

  // -- start -------------------------------------------------------------------------------
  function start() {
    var params = new URLSearchParams(location.search);
    var given = (params.get('code') || '').toUpperCase();
    var kept = load();
    if (given) $('code').value = given;
    var ls = document.querySelectorAll('.lang');
    for (var i = 0; i < ls.length; i++) ls[i].addEventListener('click', function (e) { setLang(e.currentTarget.getAttribute('data-lang')); });
    $('join').addEventListener('submit', function (e) {
      e.preventDefault();
      var code = $('code').value.trim(), who = $('name').value.trim();
      if (!code) { note('join-error', 'code-needed'); $('code').focus(); return; }
      if (!who) { note('join-error', 'name-needed'); $('name').focus(); return; }
      note('join-error', '');
      $('join-button').disabled = true;
      connect({ t: 'join', code: code, name: who });
    });
    $('send').addEventListener('click', sendAnswer);
    $('hand').addEventListener('click', function () { send({ t: 'hand', up: !hand }); });
    applyLang();
    if (kept && kept.secret && (!given || given === kept.code)) {
      $('code').value = kept.code;
      connect({ t: 'join', code: kept.code, secret: kept.secret });
    } else if (given) {
      $('name').focus();
    }
  }
  start();
}());
