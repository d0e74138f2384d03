// Smart Forms (@aehrc/smart-forms-renderer) mounted the way its README shows, for the benchmark page.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BaseRenderer, buildForm, RendererThemeProvider, getResponse } from '@aehrc/smart-forms-renderer';

window.renderSmartForm = async (questionnaire, container) => {
  // No terminology server here: every other host is unreachable in the benchmark.
  await buildForm({ questionnaire, terminologyServerUrl: 'http://127.0.0.1:9/fhir' });
  const client = new QueryClient();
  createRoot(container).render(h(RendererThemeProvider, null, h(QueryClientProvider, { client }, h(BaseRenderer))));
};
window.smartFormResponse = () => getResponse();
