import js from "@eslint/js"
import globals from "globals"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist", "**/out-tsc", "**/node_modules", "**/*.timestamp*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      // Their barrels load every module (the Swagger UI bundle among them): ~40 MB per process.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@effect/platform", message: 'Import the module by path, e.g. "@effect/platform/HttpClient".' },
            { name: "@effect/platform-node", message: 'Import the module by path, e.g. "@effect/platform-node/NodeRuntime".' },
          ],
        },
      ],
    },
  },
)
