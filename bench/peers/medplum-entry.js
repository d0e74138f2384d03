// Medplum's QuestionnaireForm (@medplum/react 4.5) mounted the way Medplum's docs show: MantineProvider +
// MedplumProvider around it, with a MedplumClient whose fetch always rejects, so it never reaches a server
// (the questionnaire is given inline, so the form has nothing to fetch). Mantine's and Medplum's stylesheets
// are <link>ed by the benchmark page, as an app would load them.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { MedplumClient } from '@medplum/core';
import { MedplumProvider, QuestionnaireForm } from '@medplum/react';

let last;
window.renderMedplumForm = (questionnaire, container) => {
  const medplum = new MedplumClient({
    baseUrl: 'http://127.0.0.1:9/',
    fetch: () => Promise.reject(new Error('no server in the benchmark')),
  });
  createRoot(container).render(
    h(MantineProvider, null,
      h(MedplumProvider, { medplum },
        h(QuestionnaireForm, { questionnaire, onChange: (response) => { last = response; }, onSubmit: (response) => { last = response; } }))),
  );
};
window.medplumResponse = () => last;
