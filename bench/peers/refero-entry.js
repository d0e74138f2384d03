// Helsenorge Refero (@helsenorge/refero) mounted the way its README shows: a redux Provider with the store
// Refero exports (its rootReducer with Redux Toolkit's default middleware) around <Refero>. The design
// system's SCSS modules are compiled by the bench build into one stylesheet that the page <link>s.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { Refero, store as createStore } from '@helsenorge/refero';

let store;
window.renderRefero = (questionnaire, container) => {
  store = createStore();
  const resources = { formSend: 'Submit', formCancel: 'Cancel', formSave: 'Save', repeatButtonText: 'Add' };
  createRoot(container).render(
    h(Provider, { store },
      h(Refero, { questionnaire, authorized: true, language: 'en-GB', resources, loginButton: h('span'), onSubmit: () => undefined, onSave: () => undefined, onCancel: () => undefined })),
  );
};
// The QuestionnaireResponse Refero keeps in its store as the user answers.
window.referoResponse = () => store?.getState().refero.form.FormData.Content;
