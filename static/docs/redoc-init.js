// Start ReDoc on our own OpenAPI document (a file, not an inline script, for the CSP).
// The fonts are the system's: nothing is fetched from a font service.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("redoc");
  const system = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
  window.Redoc.init(root.dataset.openapi, {
    theme: { typography: { fontFamily: system, headings: { fontFamily: system } } },
  }, root);
});
