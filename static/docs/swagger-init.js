// Start Swagger UI on our own OpenAPI document. Served as a file because the page's
// Content-Security-Policy allows no inline scripts. validatorUrl: null stops the badge that
// would send the document to an online validator.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
