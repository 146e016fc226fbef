// A questionnaire on a phone: one question per screen, answers saved to the outbox first
// (so they survive no network and a closed app), then sent when it can. An answer that
// asks for it opens the safety screen at once, before any sync: the page carries it.
import { el } from './dom.js';
import { saveMeasureResponse, syncOutbox, uuid } from './outbox.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function answerOf(question) {
  const checked = question.querySelector('input[type="radio"]:checked');
  if (checked) return Number(checked.value);
  const range = question.querySelector('input[type="range"]');
  return range && range.dataset.touched === 'yes' ? Number(range.value) : null;
}

/** The item numbers and lowest answers that open the safety screen. */
function safetyRules(form) {
  const items = JSON.parse(form.dataset.safety || '[]');
  const mins = JSON.parse(form.dataset.safetyMin || '[]');
  return items.map((item, n) => ({ item, min: mins[n] }));
}

function stepper(form, questions) {
  const progress = el('p', { class: 'question-progress', 'aria-live': 'polite' });
  const problem = el('p', { class: 'error', role: 'alert', hidden: '' });
  const back = el('button', { type: 'button', class: 'button' }, 'Back');
  const next = el('button', { type: 'button', class: 'button primary' }, 'Next');
  const nav = el('div', { class: 'question-nav' });
  nav.append(back, next);
  const submit = form.querySelector('[data-submit]');
  questions[0].before(progress);
  form.querySelector('.actions').before(problem, nav);
  let current = Math.max(0, questions.findIndex((q) => answerOf(q) === null));
  const show = (index, focus = true) => {
    current = index;
    questions.forEach((question, n) => { question.hidden = n !== index; });
    progress.textContent = `Question ${index + 1} of ${questions.length}`;
    back.hidden = index === 0;
    next.hidden = index === questions.length - 1;
    submit.hidden = index !== questions.length - 1;
    problem.hidden = true;
    if (focus) questions[index].querySelector('legend')?.focus?.();
  };
  const goOn = () => {
    if (answerOf(questions[current]) === null) {
      problem.textContent = 'Choose an answer to go on.';
      problem.hidden = false;
      return;
    }
    show(current + 1);
  };
  next.addEventListener('click', goOn);
  back.addEventListener('click', () => show(current - 1));
  questions.forEach((question) => {
    question.querySelector('legend')?.setAttribute('tabindex', '-1');
    question.querySelectorAll('input[type="range"]').forEach((range) => {
      range.addEventListener('input', () => { range.dataset.touched = 'yes'; });
    });
  });
  show(Math.min(current, questions.length - 1), false);
  return { show, problem };
}

function showSaved(page, text) {
  const saved = document.querySelector('[data-questionnaire-saved]');
  page.hidden = true;
  saved.querySelector('[data-saved-text]').textContent = text;
  saved.hidden = false;
  return saved;
}

async function submitAnswers(event, form, questions, steps) {
  event.preventDefault();
  const answers = questions.map(answerOf);
  const missing = answers.findIndex((answer) => answer === null);
  if (missing >= 0) {
    steps.show(missing);
    steps.problem.textContent = `Answer question ${missing + 1} to save.`;
    steps.problem.hidden = false;
    return;
  }
  const id = form.querySelector('input[name="response_id"]').value;
  const session = form.querySelector('input[name="dosing_session_id"]').value;
  const payload = {
    instrument: form.dataset.questionnaire,
    answers,
    completed_at: new Date().toISOString(),
    dosing_session_id: UUID.test(session) ? session : null,
  };
  form.querySelector('[data-submit]').disabled = true;
  await saveMeasureResponse(id, payload, document.querySelector('h1')?.firstChild?.textContent.trim());
  document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
  const page = document.querySelector('[data-questionnaire-page]');
  const safety = safetyRules(form).some(({ item, min }) => answers[item - 1] >= min);
  if (safety) {
    const screen = document.querySelector('[data-safety-screen]');
    screen.hidden = false;
    showSaved(page, 'Your answers are saved on this device, and will sync when there is a connection.');
    screen.focus();
  }
  const result = await syncOutbox({ force: true }).catch(() => ({ applied: 0 }));
  document.dispatchEvent(new CustomEvent('journal:outbox-changed'));
  if (result.applied && !safety) {
    window.location.assign(`/measures/responses/${id}`);
  } else if (result.applied) {
    showSaved(page, 'Your answers are saved.');
  } else if (!safety) {
    showSaved(page, 'Your answers are saved on this device. They will sync as soon as there is a connection.')
      .querySelector('h2').focus();
  }
}

/** Enhance the questionnaire on this page, if there is one. */
export function enhanceQuestionnaire() {
  const form = document.querySelector('form[data-questionnaire]');
  if (!form) return;
  // A page kept for offline use is the same page every time: each filling gets its own id.
  form.querySelector('input[name="response_id"]').value = uuid();
  const session = form.querySelector('input[name="dosing_session_id"]');
  if (!session.value) session.value = new URLSearchParams(window.location.search).get('session') || '';
  const questions = [...form.querySelectorAll('[data-question]')];
  const steps = stepper(form, questions);
  form.addEventListener('submit', (event) => submitAnswers(event, form, questions, steps));
}
