// Vite's `?raw` imports (a file's text as a string), which the workers test
// pool resolves like the bundler does: tests read docs they check this way.
declare module "*?raw" {
  const text: string;
  export default text;
}
