// ESLint (flat config) over our browser code: ES modules in static/js, the two classic
// start-up scripts of the API docs in static/docs. static/vendor is third-party, not ours.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

const rules = {
  ...js.configs.recommended.rules,
  eqeqeq: ["error", "always", { null: "ignore" }],
  "no-var": "error",
  "prefer-const": "error",
  "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
  // No strings run as code: the pages' Content-Security-Policy forbids it anyway.
  "no-eval": "error",
  "no-implied-eval": "error",
  "no-new-func": "error",
};

module.exports = [
  { ignores: ["static/vendor/**", "node_modules/**", "test-artifacts/**"] },
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: { ...globals.browser } },
    rules,
  },
  {
    files: ["static/docs/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024, sourceType: "script",
      globals: { ...globals.browser, SwaggerUIBundle: "readonly", Redoc: "readonly" },
    },
    rules,
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "commonjs", globals: { ...globals.node } },
    rules,
  },
];
